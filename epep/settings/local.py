"""Settings for `make run` on a developer's machine: SQLite and the embedded broker.

The demo runs as a council would see it: DEBUG off, so missing pages and errors get the
GOV.UK error pages (Django's debug pages list every URL), and WhiteNoise serves the
collected static files. `DEBUG=true make run` gives developers the debug pages.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
DEMO_LOGINS_ALLOWED = True
# Links in emails (invitations, meetings, "PEP returned") point at the port the portal is
# served on (`PORT=8850 make run`; epep.runall passes it to the web process and the worker),
# unless SITE_URL says otherwise.
PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
# Each email is a file here (README, "The two commands").
EMAIL_FILE_PATH = str(VAR_DIR / "mail")  # noqa: F405
