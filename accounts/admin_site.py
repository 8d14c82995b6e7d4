"""Django's admin site, reached only through the portal's own sign-in.

Django's admin has a login form of its own that knows nothing of allauth: no rate limits
and no second factor (django-allauth's docs, "Admin", say so and suggest wrapping
`admin.site.login` with `allauth.account.decorators.secure_admin_login`). This site goes
one step further, in the way Django documents for customising an AdminSite
(`has_permission` and `login`):

- its login page never shows a form: an anonymous visitor is sent to the portal's sign-in
  (allauth: throttled, and asks for the TOTP code of anyone who has an authenticator app);
- only active superusers whose session has seen their second factor may use any admin
  page. This holds whatever `MFA_REQUIRED_FOR_STAFF` says: that switch is for trying the
  demo on a laptop, and the admin can change everything;
- a superuser who has not set up an authenticator app is sent to set one up. allauth's
  set-up page itself asks for the password again unless it was typed in this session in
  the last few minutes (accounts.adapters), so a session that did not come from a proper
  sign-in cannot enrol an authenticator;
- anybody else signed in (staff who are not superusers, every portal role) is refused
  with the GOV.UK 403 page.

It is installed as the default admin site by epep.apps.AdminConfig.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .mfa import has_totp, log, second_factor_used


def may_use_admin(user) -> bool:
    """Who may use Django's admin at all (before the second factor): active superusers."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


class PortalAdminSite(admin.AdminSite):
    site_header = "ePEP: Django administration"
    site_title = "ePEP administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_admin(request.user) and second_factor_used(request)

    def _next_url(self, request: HttpRequest) -> str:
        url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
            return url
        return reverse("admin:index", current_app=self.name)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Never Django's own login form: the portal's sign-in, then the second factor."""
        next_url = self._next_url(request)
        user = request.user
        if not user.is_authenticated:
            login_url = resolve_url(settings.LOGIN_URL)
            return HttpResponseRedirect(f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
        if not may_use_admin(user):
            log.warning("admin refused", extra={"event": "admin_refused", "user_id": user.pk})
            raise PermissionDenied
        if not has_totp(user):
            # allauth's set-up page asks for the password again unless this session signed in
            # with it within the last few minutes.
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not second_factor_used(request):
            return HttpResponseRedirect(
                f"{reverse('mfa_reauthenticate')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
            )
        return HttpResponseRedirect(next_url)

    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]  # a redirect, not the admin's page
        # One sign-out: the portal's, which also forgets this browser (accounts.views.logout).
        from .views import logout

        return logout(request)

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]  # a redirect
        # One place to change a password: the portal's (validators, audit log, messages).
        return HttpResponseRedirect(reverse("account_change_password"))
