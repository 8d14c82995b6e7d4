"""Settings for the test suite: captured email, fast hashing, real everything else."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
DEMO_LOGINS_ALLOWED = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,20/h/key",
    "password_reset": "5/h/ip,3/h/key",
    "login": "1000/m/ip",
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Celery tasks are sent to the broker for real only in the integration tests, which
# set CELERY_TASK_ALWAYS_EAGER to False themselves.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
