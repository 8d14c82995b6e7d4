"""Which person last signed in on this browser: a signed, HttpOnly cookie.

It lets a page that receives a POST after the person's session ended (the PEP sections'
"we will put back what you typed") know whose browser it is, without a session: the
cookie is set on the response of a completed sign-in (allauth's `user_logged_in`, so after
the second factor), names the person and a fragment of their session-auth hash (a changed
password makes it worthless), is signed with SECRET_KEY, and lasts as long as a session
can plus the time a kept POST is kept. Signing out deletes it (accounts.views.logout); a
session ended by its idle or absolute time limit leaves it, which is the point.

It grants nothing: no page is shown and no data is read because of it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

COOKIE = "epep_browser"
SALT = "accounts.signed-in-browser"
# A session lasts at most SESSION_ABSOLUTE_LIMIT_SECONDS; what was typed into a page opened
# just before its end can arrive a while later.
EXTRA_SECONDS = 2 * 60 * 60


def max_age() -> int:
    return settings.SESSION_ABSOLUTE_LIMIT_SECONDS + EXTRA_SECONDS


def _value(user) -> str:
    return f"{user.pk}:{user.get_session_auth_hash()[:16]}"


def remember(response: HttpResponse, request: HttpRequest, user) -> None:
    response.set_signed_cookie(COOKIE, _value(user), salt=SALT, max_age=max_age(), httponly=True,
                               samesite="Lax", secure=request.is_secure() or settings.SESSION_COOKIE_SECURE)


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")


def person(request: HttpRequest):
    """The active person who last signed in on this browser, or None."""
    from .models import User

    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=max_age())
    if not value or ":" not in value:
        return None
    pk, _, auth_hash = value.partition(":")
    if not pk.isdigit():
        return None
    user = User.objects.filter(pk=int(pk), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash()[:16], auth_hash):
        return None
    return user
