"""Request ids, the absolute session limit, and no-store caching for signed-in pages."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout

from core.request_context import current_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,36}$")
log = logging.getLogger("epep.security")

# The session key holding when the person signed in (Unix seconds).
STARTED_AT = "started_at"


class RequestIdMiddleware:
    """Gives every request an id (or keeps a proxy's X-Request-ID) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class NoStoreForAuthenticatedMiddleware:
    """Signed-in pages and downloads must never be kept by a browser or proxy cache.

    It also enforces the absolute session limit: a session older than
    SESSION_ABSOLUTE_LIMIT_SECONDS ends whatever the person's activity. The seconds left
    are put on the request (`session_absolute_remaining`) for the timeout warning.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(STARTED_AT, now)
            remaining = settings.SESSION_ABSOLUTE_LIMIT_SECONDS - (now - started)
            if remaining <= 0:
                user_id = request.user.pk
                logout(request)
                log.info("session ended at the absolute limit",
                         extra={"event": "session_absolute_timeout", "user_id": user_id})
            else:
                request.session_absolute_remaining = remaining
        # After the limit the request carries on as anonymous: a sign-in-required page sends
        # the person to sign in, and a section save that arrives now keeps its text (the
        # PEP views stash an anonymous POST until the person has signed in again).
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
