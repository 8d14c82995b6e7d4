"""Production settings for the load test, which talks plain HTTP to gunicorn on 127.0.0.1.

Everything is `epep.settings.production` (DEBUG off, Redis cache, persistent database
connections, staff two-factor authentication, rate limits, CSP) except what needs the
TLS-terminating proxy that production sits behind: without it, `Secure` cookies would
never be sent back by the load generator and every request would be redirected to HTTPS.
So the bench, and only the bench, turns off the HTTPS redirect and the `Secure` flag on
the session and CSRF cookies.
"""

from epep.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
