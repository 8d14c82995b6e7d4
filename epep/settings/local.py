"""Settings for `make run` on a developer's machine: SQLite and the embedded broker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
DEMO_LOGINS_ALLOWED = True
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")  # noqa: F405
