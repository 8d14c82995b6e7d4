"""Production settings: everything sensitive must come from the environment."""

from .base import *  # noqa: F403
from .base import env, sqlite_for_web_and_worker

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": sqlite_for_web_and_worker(env.db("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEMO_LOGINS_ALLOWED = False
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# The cache holds sign-in rate limits and used TOTP codes. With Redis down the portal
# carries on without them (rate limits are not enforced until Redis is back; see
# epep/cache.py) rather than failing every sign-in; short timeouts keep a dead Redis
# from holding a page. The OPTIONS go to redis-py's connection pool.
CACHES = {
    "default": {
        "BACKEND": "epep.cache.FailSoftRedisCache",
        "LOCATION": env.str("REDIS_URL", default="redis://127.0.0.1:6379/1"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
# allauth builds the council sign-in redirect URI (and emailed links) with https.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# Staff two-factor authentication cannot be switched off in production.
MFA_REQUIRED_FOR_STAFF = True
# Rate limits count per client address: behind a reverse proxy, say how many proxies add
# themselves to X-Forwarded-For so allauth reads the client's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
