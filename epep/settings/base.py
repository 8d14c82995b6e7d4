"""Settings shared by every environment.

Everything that differs between a laptop and a council's servers comes from environment
variables (read with django-environ); the defaults here are safe for a first local run.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("EPEP_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address used in emails (invitations, digests) where no request is at hand.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "Personal Education Plans"

INSTALLED_APPS = [
    "epep.apps.AdminConfig",  # Django's admin behind the portal's sign-in and TOTP
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "guardian",
    "crispy_forms",
    "crispy_forms_gds",
    "django_celery_beat",
    "csp",
    "core",
    "accounts",
    "children",
    "education",
    "peps",
    "deadlines",
    "quality",
    "targets",
    "meetings",
    "imports",
    "data_protection",  # reads every app, so it comes last
]

MIDDLEWARE = [
    "accounts.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.mfa.RequireStaffMfaMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
]

ROOT_URLCONF = "epep.urls"
WSGI_APPLICATION = "epep.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.service",
            ],
        },
    },
]


def sqlite_for_web_and_worker(database: dict) -> dict:
    """SQLite options for a web process, a Celery worker and beat writing one file at once.

    `make run` (and any DATABASE_URL=sqlite://...) has three processes on one file. With
    SQLite's defaults (rollback journal, DEFERRED transactions, a 5 s wait) a reader blocks
    every writer, and a transaction that read first and writes later fails at once with
    "database is locked" when another writer got there first: the worker's stored PDFs were
    lost that way. So: WAL (readers never block the writer, nor it them), synchronous=NORMAL
    (safe with WAL, and not a disk flush per commit), IMMEDIATE transactions (an atomic
    block takes the write lock when it begins, so it waits its turn instead of failing half
    way) and a 20 s wait for that lock (`timeout`, SQLite's busy timeout). Writes must then
    be short: nothing slow (a PDF render) runs inside a transaction. Django 5.2 runs each
    `init_command` statement on every new connection. Other databases are unchanged.
    """
    if not database.get("ENGINE", "").endswith("sqlite3"):
        return database
    options = database.setdefault("OPTIONS", {})
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    options.setdefault("transaction_mode", "IMMEDIATE")
    options.setdefault("timeout", 20)
    return database


DATABASES = {
    "default": sqlite_for_web_and_worker(env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'epep.sqlite3'}"
    ))
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Reuse connections for a minute and check them before use, so that a PostgreSQL
    # restart costs one failed connection check, not a failed request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email logins, no open sign-up (accounts.adapters.AccountAdapter).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # Well under 100 failures an hour for one account, and a cap per address.
    "login_failed": "10/m/ip,20/h/key",
    "password_reset": "5/h/ip,3/h/key",
    "login": "30/m/ip",
    # Section POSTs kept after a session ended (peps.views): a person needs one now and then.
    "section_stash": "10/h/user,30/h/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ePEP"
MFA_ADAPTER = "accounts.adapters.MfaAdapter"
# Staff (social workers, designated teachers, the Virtual School, LA admins) must set up an
# authenticator app before they reach any page with data (accounts.mfa). On by default,
# everywhere: switch it off only for a demo on a laptop.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)
# Nobody signs themselves up: an admin registers each person and the invitation link proves
# the address, so allauth's "verify your email before adding MFA" guard does not apply.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Reauthentication (before changing a password or MFA settings) lasts five minutes.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# Staff may sign in with their council account: each LA configures its own OpenID Connect
# provider (accounts.models.CouncilSignIn), which allauth's openid_connect provider uses.
# Nobody is signed up that way: a council account is matched to a person the LA already
# registered, by verified email in one of the LA's domains (accounts.adapters).
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_NOTIFICATIONS = False
# A GET never starts a sign-in: the council sign-in form posts (with its CSRF token).
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# The key that encrypts each LA's client secret (Fernet); derived from SECRET_KEY unless
# set, so a deployment that rotates SECRET_KEY sets this one to keep its secrets readable.
COUNCIL_SIGN_IN_SECRET_KEY = env.str("COUNCIL_SIGN_IN_SECRET_KEY", default="")

# GOV.UK forms.
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# crispy-forms-gds gives single-box date inputs no GOV.UK class; give them one site-wide.
CRISPY_CLASS_CONVERTERS = {"dateinput": "govuk-input govuk-input--width-10"}

# django-guardian: no anonymous user row; per-child grants use direct FK models.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
# Containers collect static files into the image (STATIC_ROOT=/app/staticfiles), not the data volume.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded documents live outside the web root and are served only through views that
# check permissions.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "private")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ePEP <no-reply@epep.invalid>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# GOV.UK Notify (EMAIL_BACKEND=core.notify.NotifyEmailBackend): the whole API key, and an
# email template whose subject is ((subject)) and body is ((body)). See README "Email".
GOVUK_NOTIFY_API_KEY = env.str("GOVUK_NOTIFY_API_KEY", default="")
GOVUK_NOTIFY_TEMPLATE_ID = env.str("GOVUK_NOTIFY_TEMPLATE_ID", default="")
GOVUK_NOTIFY_REPLY_TO_ID = env.str("GOVUK_NOTIFY_REPLY_TO_ID", default="")
GOVUK_NOTIFY_BASE_URL = env.str("GOVUK_NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")

# Sessions: idle timeout of 30 minutes (refreshed on each request), absolute limit of
# 12 hours enforced by accounts.middleware.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIMIT_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers. The CSP has no 'unsafe-inline' or 'unsafe-eval' anywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "epep.errors.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/,
# so that a first run still has a real worker and beat without any server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A message taken by a worker that dies (SIGKILL, OOM) goes back on the queue after
    # the visibility timeout; it must be longer than the longest task. The integration
    # tests shorten it (and the restore sweep) to see a redelivery within seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
        "socket_connect_timeout": 5,
    }
else:
    for sub in ("in", "processed", "control"):
        (CELERY_QUEUE_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "in"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "in"),
        "data_folder_processed": str(CELERY_QUEUE_DIR / "processed"),
        # Without it kombu writes its broadcast exchange to ./control in the working directory.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Keep retrying the broker when a worker starts before Redis (Celery 6 changes the default).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True

# Whether carers and young people may see Pupil Premium Plus amounts (per deployment;
# an LA may override it on its own record).
PP_PLUS_VISIBLE_TO_FAMILY = env.bool("PP_PLUS_VISIBLE_TO_FAMILY", default=False)

# Demo logins are allowed only where this is true (local settings).
DEMO_LOGINS_ALLOWED = False
DEMO_PASSWORD = "demo-pass-2026"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "accounts.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "accounts.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "epep.security": {"level": "INFO"},
        # WeasyPrint logs each refused resource with its full URL and a progress line per
        # step; the portal's own epep.pdf logger reports refusals without page content.
        "weasyprint": {"level": "CRITICAL"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
