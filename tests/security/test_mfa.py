"""Staff must use an authenticator app (TOTP) before reaching any page with data;
carers and young people may, but are not made to."""

from __future__ import annotations

import logging

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from core.roles import Role
from tests.factories import UserFactory
from tests.security.helpers import activate_totp, sign_in, totp_code

STAFF = ["social_worker", "designated_teacher", "vs_officer", "admin_user"]
FAMILY = ["carer", "young_person"]


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.fixture(autouse=True)
def fresh_cache():
    # Rate limits and used TOTP codes live in the cache; each test starts clean.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def child_url(world) -> str:
    return reverse("child_detail", kwargs={"pk": world.child.pk})


@pytest.mark.parametrize("persona", STAFF)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(persona, world, client):
    client.force_login(world.people[persona])
    for url in (reverse("home"), reverse("children_list"), child_url(world), reverse("people_list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_the_set_up_page_explains_why_in_plain_english(world, client):
    sign_in(client, world.people["social_worker"].email)
    response = client.get(reverse("home"), follow=True)
    html = response.content.decode()
    assert "Set up an authenticator app" in html
    assert "you must confirm it is you with an" in html
    assert 'id="totp-secret"' in html


@pytest.mark.parametrize("persona", FAMILY)
def test_carers_and_young_people_are_not_made_to_use_an_authenticator(persona, world, client):
    sign_in(client, world.people[persona].email)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(child_url(world)).status_code == 200
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Set up an authenticator app" in page
    assert "you must confirm it is you" not in page


def test_staff_still_reach_account_pages_sign_out_health_and_keep_alive(world, client):
    sign_in(client, world.people["social_worker"].email)
    for name in ("account_change_password", "mfa_index", "mfa_activate_totp", "account_logout", "healthz",
                 "session_keep_alive"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    assert client.get("/no-such-page/").status_code == 404
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_a_superuser_without_a_role_is_made_to_use_an_authenticator_too(world, client):
    boss = UserFactory(email="root@example.test", role=Role.OTHER, is_superuser=True, is_staff=True)
    client.force_login(boss)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_a_social_worker_sets_up_totp_at_first_sign_in_then_signs_in_with_a_code(world, client):
    sw = world.people["social_worker"]
    response = sign_in(client, sw.email)
    assert response.status_code == 302
    # Wherever they go first, they are asked to set up the app.
    assert client.get(child_url(world))["Location"] == reverse("mfa_activate_totp")

    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=sw, type=Authenticator.Type.TOTP).exists()
    # Recovery codes were made and are shown once the app is set up.
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200 and "Your recovery codes" in codes.content.decode()
    # This session has seen the second factor: the child's record opens.
    assert client.get(child_url(world)).status_code == 200

    client.post(reverse("account_logout"))
    response = sign_in(client, sw.email)
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: the password alone reaches nothing.
    assert client.get(child_url(world))["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    page = client.get(child_url(world))
    assert page.status_code == 200
    assert "Ruby" in page.content.decode()


def test_a_wrong_code_is_refused_with_a_gov_uk_message_and_logged(world, client, caplog):
    sw = world.people["social_worker"]
    sign_in(client, sw.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    sign_in(client, sw.email)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    with caplog.at_level(logging.INFO, logger="epep.security"):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "Enter the 6-digit code shown in your authenticator app" in response.content.decode()
    assert any(getattr(r, "event", "") == "mfa_failed" for r in caplog.records)
    assert client.get(child_url(world))["Location"].startswith(reverse("account_login"))


def test_a_session_that_skipped_the_code_is_asked_for_one(world, client):
    # For example a sign-in through Django's own admin login, which knows nothing of MFA.
    sw = world.people["social_worker"]
    sign_in(client, sw.email)
    secret = activate_totp(client)
    other = client.__class__()
    other.force_login(sw)
    response = other.get(child_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=" in response["Location"]
    response = other.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302
    assert other.get(child_url(world)).status_code == 200


def test_staff_cannot_turn_their_authenticator_off_but_a_carer_can(world, client):
    sign_in(client, world.people["social_worker"].email)
    activate_totp(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "You cannot turn off two-factor authentication" in response.content.decode()
    assert Authenticator.objects.filter(user=world.people["social_worker"], type="totp").exists()

    carer_client = client.__class__()
    sign_in(carer_client, world.people["carer"].email)
    activate_totp(carer_client)
    response = carer_client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.people["carer"], type="totp").exists()


def test_the_requirement_is_off_only_when_settings_say_so(world, client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(world.people["social_worker"])
    assert client.get(child_url(world)).status_code == 200


def test_a_recovery_code_signs_a_member_of_staff_in_once(world, client):
    import re

    sw = world.people["social_worker"]
    sign_in(client, sw.email)
    activate_totp(client)
    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    codes = re.findall(r"<li><code>([^<]+)</code></li>", page)
    assert len(codes) == 10
    client.post(reverse("account_logout"))

    sign_in(client, sw.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(child_url(world)).status_code == 200
    client.post(reverse("account_logout"))

    sign_in(client, sw.email)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200  # a used code does not work twice
    assert client.get(child_url(world))["Location"].startswith(reverse("account_login"))


def test_a_wrong_code_is_cleared_from_the_box_and_an_empty_one_gets_a_gov_uk_message(world, client):
    """Issue 14, point 9: after a wrong code the box is empty, ready for the next one."""
    sw = world.people["social_worker"]
    sign_in(client, sw.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    sign_in(client, sw.email)
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    html = client.post(reverse("mfa_authenticate"), {"code": wrong}).content.decode()
    assert "govuk-input--error" in html and "data-mfa-code" in html
    assert f'value="{wrong}"' not in html
    html = client.post(reverse("mfa_authenticate"), {"code": ""}).content.decode()
    assert "Enter the code from your authenticator app" in html
    assert "This field is required" not in html
