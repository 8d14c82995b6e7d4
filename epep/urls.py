"""Every URL of the portal. allauth's pages are listed one by one: people do not sign
themselves up or change their own email address (admins own identities), so only the
pages a person needs are mounted."""

from allauth.account import views as allauth_views
from allauth.socialaccount import views as socialaccount_views
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views

allauth_patterns = [
    path("login/", allauth_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),  # allauth's, and forgets the browser
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("signup/", allauth_views.signup, name="account_signup"),
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", allauth_views.password_change, name="account_change_password"),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", allauth_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path("password/reset/key/done/", allauth_views.password_reset_from_key_done,
         name="account_reset_password_from_key_done"),
    path("2fa/", include("allauth.mfa.urls")),
    # Council sign-in (OpenID Connect, one provider per LA): the form that picks the LA's
    # provider from a work email, allauth's provider login and callback, and its pages
    # for a cancelled or failed sign-in. No social sign-up or connections pages.
    path("council/", account_views.council_sign_in_start, name="account_council_sign_in"),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("council/cancelled/", socialaccount_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("council/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
]

urlpatterns = [
    path("healthz", account_views.healthz, name="healthz"),
    path("session/", include("accounts.keepalive")),
    path("accounts/", include(allauth_patterns)),
    path("django-admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("children/", include("children.urls")),
    path("children/", include("education.urls")),
    path("peps/", include("peps.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("meetings/", include("meetings.urls")),
    path("targets/", include("targets.urls")),
    path("quality/", include("quality.urls")),
    path("data-protection/", include("data_protection.urls")),
    path("imports/", include("imports.urls")),
]

handler400 = "epep.errors.bad_request"
handler403 = "epep.errors.permission_denied"
handler404 = "epep.errors.page_not_found"
handler500 = "epep.errors.server_error"
