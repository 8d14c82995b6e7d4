"""Two-factor authentication is required for staff before they reach any page with data.

allauth.mfa deliberately ships no enforcement (pennersr/django-allauth#3649 and the
declined #3710 leave it to projects), so this middleware does it, in the shape
django-allauth-2fa's `BaseRequire2FAMiddleware` made familiar:

- a staff member (accounts.models.STAFF_ROLES, or a superuser) with no authenticator app
  is sent to allauth's "set up an authenticator app" page, whatever page they asked for;
- a staff member who has an authenticator app but whose session shows no second factor
  (for example one signed in through a route that skips allauth's MFA stage) is asked for
  a code on allauth's MFA re-authentication page.

Only allauth's own account and MFA pages, the keep-alive URL and /healthz stay open, found
by resolving the URL name (not by matching path prefixes, which a crafted path could fool).
Carers and young people may set up an authenticator app but are never forced to.

A staff member who signed in through their LA's own provider (council sign-in), where the
LA says that provider always asks for a second factor, is asked for neither: the provider
did it (accounts.council_sign_in.mfa_done_by_provider; the audit records what it said).

`settings.MFA_REQUIRED_FOR_STAFF` switches the requirement (True unless the environment
says otherwise; the test settings turn it off so that `client.force_login` personas work,
and tests/security turns it back on to prove the enforcement).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from core.roles import STAFF_ROLES

from .council_sign_in import mfa_done_by_provider

log = logging.getLogger("epep.security")

# Set when a person activates an authenticator app in this session: typing a valid code
# from the app to activate it proves they hold it, just as signing in with one would.
ENROLLED_SESSION_KEY = "epep_mfa_enrolled"

# URL names that stay open to a staff member who has not finished setting up MFA.
EXEMPT_URL_NAMES = frozenset({"healthz", "session_keep_alive"})
EXEMPT_URL_PREFIXES = ("account_", "mfa_")


def mfa_required_for(user) -> bool:
    """Whether this person must use two-factor authentication (staff, and superusers)."""
    if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", True):
        return False
    if not user.is_authenticated:
        return False
    return user.role in STAFF_ROLES or user.is_superuser


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def second_factor_used(request: HttpRequest) -> bool:
    """Whether this session has seen the person's second factor.

    allauth records every authentication step in the session; an "mfa" record means the
    person typed a code from their app (or a recovery code) at sign-in or since.
    """
    if request.session.get(ENROLLED_SESSION_KEY):
        return True
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name or ""
    except Resolver404:
        return None


def _is_exempt(request: HttpRequest, name: str | None) -> bool:
    if name is None or request.path_info.startswith(settings.STATIC_URL):
        # Static files, and unknown addresses (the 404 page), hold no data.
        return True
    return name in EXEMPT_URL_NAMES or name.startswith(EXEMPT_URL_PREFIXES)


def _with_next(url_name: str, request: HttpRequest) -> str:
    url = reverse(url_name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class RequireStaffMfaMiddleware:
    """Sends staff to set up or use their authenticator app before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Templates read this to explain why the person is on the set-up page.
        required = mfa_required_for(user)
        request.mfa_required = required  # type: ignore[attr-defined]  # an attribute of the portal's own, for templates
        name = _url_name(request)
        if (required and not _is_exempt(request, name)
                and not mfa_done_by_provider(request, user)):
            if not has_totp(user):
                log.info("mfa set-up required", extra={"event": "mfa_setup_required", "user_id": user.pk,
                                                        "path": request.path})
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
            if not second_factor_used(request):
                log.info("mfa code required", extra={"event": "mfa_code_required", "user_id": user.pk,
                                                      "path": request.path})
                return HttpResponseRedirect(_with_next("mfa_reauthenticate", request))
        response = self.get_response(request)
        if (name == "mfa_activate_totp" and request.method == "POST" and response.status_code == 302
                and user.is_authenticated):
            # allauth redirects after a successful activation; it took a valid code from the
            # app, so this session has seen the second factor. (allauth's authenticator_added
            # signal fires on commit, too late for tests run inside one transaction.) This is
            # recorded whether or not MFA is required here: Django's admin always asks for it.
            if has_totp(user):
                request.session[ENROLLED_SESSION_KEY] = True
        return response
