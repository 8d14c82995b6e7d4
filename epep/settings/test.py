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
    "section_stash": "10/h/user,30/h/ip",
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Celery tasks are sent to the broker for real only in the integration tests, which
# set CELERY_TASK_ALWAYS_EAGER to False themselves.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Personas signed in with client.force_login skip allauth's MFA stage, so the staff MFA
# requirement is off for the suite; tests/security switches it on to prove it.
MFA_REQUIRED_FOR_STAFF = False
# Integration tests run a real Celery worker in another process, where locmem mail is
# invisible: they point its email at files in a temporary directory, and can make the
# daily deadline run pause so that the worker can be killed in the middle of it.
if env.str("EPEP_TEST_EMAIL_DIR", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EPEP_TEST_EMAIL_DIR")
DEADLINES_FLAG_OVERDUE_PAUSE_SECONDS = env.float("EPEP_FLAG_OVERDUE_PAUSE", default=0)
