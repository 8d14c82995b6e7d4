"""Django's admin is reached only through the portal's sign-in (throttled, with TOTP), and
only by superusers whose session has seen their second factor."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from core.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.security.helpers import activate_totp, sign_in, totp_code

ADMIN_PAGES = ["/django-admin/", "/django-admin/accounts/user/", "/django-admin/core/auditevent/"]


@pytest.fixture(autouse=True)
def fresh_cache():
    # Rate limits and used TOTP codes live in the cache; each test starts clean.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.test", role=Role.OTHER, is_superuser=True, is_staff=True)


def _with_totp(user) -> str:
    """Set up an authenticator app for `user` through the real pages; returns the secret."""
    setup = Client()
    assert sign_in(setup, user.email).status_code == 302
    return activate_totp(setup)


def _signed_in_with_code(user, secret: str) -> Client:
    client = Client()
    response = sign_in(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    return client


def _admin_forbidden(client) -> None:
    for url in ADMIN_PAGES:
        response = client.get(url, follow=True)
        assert response.status_code in (403, 200), url
        assert "Site administration" not in response.text, url
        assert "Select user to change" not in response.text, url


def test_the_admin_login_page_sends_people_to_the_portal_sign_in(client, superuser):
    response = client.get("/django-admin/login/?next=/django-admin/accounts/user/")
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == reverse("account_login")
    assert parse_qs(parts.query)["next"] == ["/django-admin/accounts/user/"]
    # Django's own form is gone: posting to it signs nobody in.
    response = client.post("/django-admin/login/", {"username": superuser.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("mfa_required", [True, False], ids=["mfa required", "mfa switch off"])
def test_fifteen_wrong_passwords_then_the_right_one_give_no_admin_session(mfa_required, settings, client,
                                                                          superuser):
    settings.MFA_REQUIRED_FOR_STAFF = mfa_required
    for _ in range(15):
        client.post("/django-admin/login/", {"username": superuser.email, "password": "wrong-password-1"},
                    REMOTE_ADDR="10.4.4.4")
    client.post("/django-admin/login/", {"username": superuser.email, "password": PASSWORD}, REMOTE_ADDR="10.4.4.4")
    assert "_auth_user_id" not in client.session
    _admin_forbidden(client)
    # Where the admin sends them, the portal's sign-in, the same attempt is throttled.
    for _ in range(15):
        sign_in(client, superuser.email, "wrong-password-1", REMOTE_ADDR="10.4.4.4")
    response = sign_in(client, superuser.email, REMOTE_ADDR="10.4.4.4")
    assert "There have been too many attempts to sign in" in response.text
    assert "_auth_user_id" not in client.session
    _admin_forbidden(client)


@pytest.mark.parametrize("mfa_required", [True, False], ids=["mfa required", "mfa switch off"])
def test_an_admin_page_without_the_totp_step_is_refused(mfa_required, settings, superuser):
    settings.MFA_REQUIRED_FOR_STAFF = mfa_required
    secret = _with_totp(superuser)

    # The password alone: allauth is waiting for the code, nobody is signed in yet.
    halfway = Client()
    assert sign_in(halfway, superuser.email)["Location"] == reverse("mfa_authenticate")
    _admin_forbidden(halfway)
    assert "_auth_user_id" not in halfway.session

    # A session that never saw the code (as Django's own admin login used to make).
    no_code = Client()
    no_code.force_login(superuser)
    for url in ADMIN_PAGES:
        response = no_code.get(url, follow=True)
        assert "Site administration" not in response.text and "Select user to change" not in response.text, url
        assert response.redirect_chain, url
        assert urlsplit(response.redirect_chain[-1][0]).path == reverse("mfa_reauthenticate"), url
    # Typing the code there opens the admin. (A code works once: forget the one used at
    # set-up, as if the next 30 seconds had come.)
    from django.core.cache import cache

    cache.clear()
    response = no_code.post(f"{reverse('mfa_reauthenticate')}?next=/django-admin/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert no_code.get("/django-admin/").status_code == 200

    # The whole sign-in with the code: the admin opens.
    cache.clear()
    signed_in = _signed_in_with_code(superuser, secret)
    assert "Site administration" in signed_in.get("/django-admin/").text
    assert signed_in.get("/django-admin/accounts/user/").status_code == 200


@pytest.mark.parametrize("mfa_required", [True, False], ids=["mfa required", "mfa switch off"])
def test_a_superuser_without_an_authenticator_sets_one_up_after_signing_in(mfa_required, settings, client,
                                                                           superuser):
    settings.MFA_REQUIRED_FOR_STAFF = mfa_required
    response = client.get("/django-admin/", follow=True)
    assert urlsplit(response.redirect_chain[-1][0]).path == reverse("account_login")
    response = client.post(response.redirect_chain[-1][0], {"login": superuser.email, "password": PASSWORD},
                           follow=True)
    # Signed in with the password: set up the app before the admin opens.
    assert urlsplit(response.redirect_chain[-1][0]).path == reverse("mfa_activate_totp")
    assert 'id="totp-secret"' in response.text
    assert client.get("/django-admin/accounts/user/", follow=True).redirect_chain[-1][0] == reverse(
        "mfa_activate_totp")
    activate_totp(client)
    assert Authenticator.objects.filter(user=superuser, type=Authenticator.Type.TOTP).exists()
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.parametrize("mfa_required", [True, False], ids=["mfa required", "mfa switch off"])
def test_a_session_without_a_sign_in_cannot_enrol_an_authenticator(mfa_required, settings, superuser):
    settings.MFA_REQUIRED_FOR_STAFF = mfa_required
    stolen = Client()
    stolen.force_login(superuser)  # a session that never typed the password through the portal
    response = stolen.get("/django-admin/", follow=True)
    assert urlsplit(response.redirect_chain[-1][0]).path == reverse("account_reauthenticate")
    assert 'id="totp-secret"' not in response.text
    response = stolen.post(reverse("mfa_activate_totp"), {"code": "123456"})
    assert not Authenticator.objects.filter(user=superuser).exists()
    assert stolen.get("/django-admin/").status_code != 200


def test_staff_who_are_not_superusers_get_no_admin(world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = UserFactory(email="staff@example.test", role=Role.LA_ADMIN, local_authority=world.la, is_staff=True)
    secret = _with_totp(staff)
    client = _signed_in_with_code(staff, secret)
    assert client.get(reverse("home")).status_code == 200  # properly signed in, with the code
    for url in ADMIN_PAGES + ["/django-admin/login/"]:
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert "You do not have permission to do this" in response.text, url
    # An LA admin of the portal (not Django staff) is refused the same way.
    la_admin = Client()
    la_admin.force_login(world.people["admin_user"])
    settings.MFA_REQUIRED_FOR_STAFF = False
    for url in ADMIN_PAGES:
        assert la_admin.get(url, follow=True).status_code == 403, url


def test_signing_out_of_the_admin_is_the_portals_sign_out(superuser):
    secret = _with_totp(superuser)
    client = _signed_in_with_code(superuser, secret)
    assert client.get("/django-admin/").status_code == 200
    response = client.post("/django-admin/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert client.cookies["epep_browser"].value == ""
    assert client.get("/django-admin/")["Location"].startswith("/django-admin/login/")
