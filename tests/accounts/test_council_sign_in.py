"""Council sign-in (each LA's OpenID Connect provider): the LA admin's settings page, who a
council account is matched to, the audit, and the portal's own MFA. The sign-in itself,
through a real provider, is in tests/browser/test_council_sign_in.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.urls import reverse
from django.utils import timezone

from accounts import council_sign_in, services
from accounts.adapters import SocialAccountAdapter
from accounts.models import CouncilSignIn, Invitation, User
from core.models import AuditEvent
from core.roles import Role
from tests.factories import UserFactory

SECRET = "a-long-client-secret-WXYZ"  # noqa: S105 - a test value


def _configure(la, actor=None, **overrides):
    data = {"issuer_url": "https://login.example.test/tenant/v2.0", "client_id": "epep-portal",
            "client_secret": SECRET, "domains": ["example.test"], "provider_enforces_mfa": True}
    data.update(overrides)
    return services.council_sign_in_configure(actor=actor, local_authority=la, **data)


def _form(**overrides):
    data = {"issuer_url": "https://login.example.test/tenant/v2.0", "client_id": "epep-portal",
            "client_secret": SECRET, "domains": "example.test\nschools.example.test",
            "provider_enforces_mfa": "on"}
    data.update(overrides)
    return data


def _url(la):
    return reverse("council_sign_in_settings", args=[la.pk])


# ---- the LA admin's settings page ----------------------------------------------------


def test_an_la_admin_saves_their_provider_and_the_secret_is_stored_encrypted(login, admin_user, world):
    client = login(admin_user)
    response = client.post(_url(world.la), _form())
    assert response.status_code == 302
    config = CouncilSignIn.objects.get(local_authority=world.la)
    assert SECRET not in config.client_secret_encrypted
    assert council_sign_in.decrypt_secret(config.client_secret_encrypted) == SECRET
    assert sorted(d.domain for d in config.domains.all()) == ["example.test", "schools.example.test"]
    assert config.provider_enforces_mfa is True
    # One audit event, which names the secret only by its last four characters.
    events = AuditEvent.objects.filter(object_type="accounts.councilsignin")
    assert events.count() == 1
    assert SECRET not in json.dumps(events[0].changes)
    assert events[0].changes["client_secret_hint"] == [None, "WXYZ"]


def test_the_secret_is_never_shown_back_and_a_blank_one_keeps_it(login, admin_user, world):
    _configure(world.la, actor=admin_user)
    client = login(admin_user)
    page = client.get(_url(world.la)).content.decode()
    assert SECRET not in page
    assert "Ending in WXYZ" in page
    assert f"/accounts/oidc/council-{world.la.pk}/login/callback/" in page

    response = client.post(_url(world.la), _form(client_secret="", client_id="a-new-client"))
    assert response.status_code == 302
    config = CouncilSignIn.objects.get(local_authority=world.la)
    assert config.client_id == "a-new-client"
    assert council_sign_in.decrypt_secret(config.client_secret_encrypted) == SECRET


@pytest.mark.parametrize(("field", "value", "message"), [
    ("issuer_url", "http://login.example.test/tenant", "The issuer URL must start with https://"),
    ("issuer_url", "", "Enter the issuer URL"),
    ("client_id", "", "Enter the client ID"),
    ("client_secret", "", "Enter the client secret"),
    ("domains", "not a domain!", "Enter email domains like staffordshire.gov.uk, not not"),
    ("domains", "", "Enter at least one email domain"),
])
def test_bad_settings_get_a_govuk_error_and_nothing_is_written(login, admin_user, world, field, value, message):
    response = login(admin_user).post(_url(world.la), _form(**{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not CouncilSignIn.objects.exists()
    assert not AuditEvent.objects.filter(object_type="accounts.councilsignin").exists()


def test_a_domain_another_la_uses_is_refused(login, world):
    _configure(world.la)
    response = login(world.people["other_la_admin"]).post(_url(world.other_la), _form(domains="example.test"))
    assert response.status_code == 200
    assert "example.test is already used by another local authority" in response.content.decode()
    assert not CouncilSignIn.objects.filter(local_authority=world.other_la).exists()


def test_another_las_admin_can_neither_see_nor_change_it(login, world):
    _configure(world.la)
    client = login(world.people["other_la_admin"])
    assert client.get(_url(world.la)).status_code == 404
    assert client.post(_url(world.la), _form(client_id="hijacked")).status_code == 404
    assert CouncilSignIn.objects.get(local_authority=world.la).client_id == "epep-portal"


def test_staff_who_are_not_admins_are_refused(login, vs_officer, world):
    assert login(vs_officer).post(_url(world.la), _form()).status_code == 403
    assert not CouncilSignIn.objects.exists()


# ---- who a council account belongs to -------------------------------------------------


@pytest.mark.parametrize(("email", "verified", "refusal"), [
    ("social_worker@example.test", True, ""),
    ("vs_officer@example.test", True, ""),
    ("designated_teacher@example.test", True, ""),
    ("SOCIAL_WORKER@Example.Test", True, ""),
    ("social_worker@example.test", False, "has not been verified"),
    ("nobody@example.test", True, "There is no staff login for nobody@example.test"),
    ("carer@example.test", True, "There is no staff login for carer@example.test"),
    ("young_person@example.test", True, "There is no staff login"),
    ("other_la_vs@example.test", True, "with Testshire County Council"),
    ("someone@elsewhere.test", True, "does not use council sign-in for someone@elsewhere.test"),
    ("", True, "did not tell us your email address"),
])
def test_a_council_account_matches_only_registered_staff_of_the_la(world, email, verified, refusal):
    config = _configure(world.la)
    match = council_sign_in.match_person(config, email=email, email_verified=verified)
    if refusal:
        assert match.user is None
        assert refusal in match.refusal
    else:
        assert match.user == User.objects.get(email__iexact=email)


def test_a_deactivated_login_is_refused(world):
    config = _configure(world.la)
    User.objects.filter(email="social_worker@example.test").update(is_active=False)
    assert council_sign_in.match_person(config, email="social_worker@example.test", email_verified=True).user is None


def test_accepting_a_council_sign_in_uses_up_a_pending_invitation_and_writes_one_event(world, admin_user):
    config = _configure(world.la)
    invited = services.person_register(actor=admin_user, email="new.worker@example.test", full_name="New Worker",
                                       role=Role.SOCIAL_WORKER, local_authority=world.la)
    assert council_sign_in.match_person(config, email="new.worker@example.test", email_verified=True).user == invited
    before = AuditEvent.objects.count()
    services.council_sign_in_accept(user=invited, config=config, uid="sub-1",
                                    claims={"amr": ["pwd", "mfa"], "acr": "urn:x"})
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.changes["provider_said"] == {"amr": ["pwd", "mfa"], "acr": "urn:x"}
    assert Invitation.objects.get(user=invited).used_at is not None


def test_the_provider_claims_come_from_the_id_token():
    extra = {"userinfo": {"email": "a@b.test"}, "id_token": {"amr": ["mfa"], "acr": "x", "auth_time": 1, "nonce": "n"}}
    assert council_sign_in.provider_claims(extra) == {"amr": ["mfa"], "acr": "x", "auth_time": 1}


def test_allauth_sees_each_la_provider_as_an_openid_connect_app(world, rf):
    config = _configure(world.la)
    _configure(world.other_la, domains=["elsewhere.test"], client_id="other")
    adapter = SocialAccountAdapter()
    apps = adapter.list_apps(rf.get("/"), provider=config.provider_id)
    assert len(apps) == 1
    app = apps[0]
    assert (app.provider, app.provider_id, app.client_id, app.secret) == (
        "openid_connect", f"council-{world.la.pk}", "epep-portal", SECRET)
    assert app.settings["server_url"] == "https://login.example.test/tenant/v2.0"
    assert len(adapter.list_apps(rf.get("/"), provider="openid_connect")) == 2
    assert adapter.list_apps(rf.get("/"), provider="council-999999") == []
    assert adapter.is_open_for_signup(rf.get("/"), None) is False


# ---- the sign-in page -----------------------------------------------------------------


def test_an_email_whose_council_has_no_sign_in_gets_a_clear_message(client, world):
    response = client.post(reverse("account_council_sign_in"), {"email": "someone@nowhere.test"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Your council has not set up sign-in with council accounts" in page


def test_the_sign_in_page_offers_council_sign_in(client, db):
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("account_council_sign_in") in page
    assert "Sign in with your council account" in page


# ---- the portal's own MFA after a council sign-in -------------------------------------


def _signed_in_through(client, user, provider_id):
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "socialaccount", "at": timezone.now().timestamp(), "provider": provider_id, "uid": "sub-1"}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.mark.parametrize(("enforces", "expected"), [(True, 200), (False, 302)])
def test_staff_mfa_is_not_asked_again_only_where_the_la_provider_enforces_it(
        client, social_worker, world, settings, enforces, expected):
    settings.MFA_REQUIRED_FOR_STAFF = True
    config = _configure(world.la, provider_enforces_mfa=enforces)
    _signed_in_through(client, social_worker, config.provider_id)
    response = client.get(reverse("home"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == reverse("mfa_activate_totp")


def test_a_council_sign_in_of_another_la_does_not_skip_mfa(client, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    _configure(world.la)
    other = _configure(world.other_la, domains=["elsewhere.test"])
    user = UserFactory(email="sw@example.test", role=Role.SOCIAL_WORKER, local_authority=world.la)
    _signed_in_through(client, user, other.provider_id)
    assert client.get(reverse("home")).status_code == 302


def test_an_old_pending_invitation_is_left_alone(world, admin_user):
    config = _configure(world.la)
    invited = services.person_register(actor=admin_user, email="late@example.test", full_name="Late Worker",
                                       role=Role.SOCIAL_WORKER, local_authority=world.la)
    Invitation.objects.filter(user=invited).update(expires_at=timezone.now() - timedelta(hours=1))
    services.council_sign_in_accept(user=invited, config=config, uid="s", claims={})
    assert Invitation.objects.get(user=invited).used_at is None


@pytest.mark.parametrize(("enforces", "asked"), [(True, False), (False, True)])
def test_allauths_code_step_is_skipped_only_after_a_provider_that_enforces_mfa(rf, social_worker, world,
                                                                               enforces, asked):
    from allauth.account.models import Login
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.sessions.middleware import SessionMiddleware

    from accounts.stages import MfaAuthenticateStage

    config = _configure(world.la, provider_enforces_mfa=enforces)
    TOTP.activate(social_worker, "JBSWY3DPEHPK3PXP")
    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "socialaccount", "at": timezone.now().timestamp(), "provider": config.provider_id, "uid": "s"}]
    request.session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(social_worker.pk)

    stage = MfaAuthenticateStage(None, request, Login(user=social_worker))
    assert stage._should_handle(request) is asked
