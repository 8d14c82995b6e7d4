"""Passwords of at least 12 characters, a new session key at sign-in, other sessions ended
by a password change, the 30-minute idle and 12-hour absolute limits, and the GOV.UK
timeout warning."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.middleware import STARTED_AT
from tests.factories import PASSWORD
from tests.security.helpers import sign_in


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_passwords_shorter_than_12_characters_are_refused(world):
    user = world.people["carer"]
    with pytest.raises(ValidationError):
        validate_password("tr0ub4dor&3", user)  # 11 characters
    validate_password("a-much-longer-phrase", user)


def test_common_and_numeric_passwords_are_refused(world):
    with pytest.raises(ValidationError):
        validate_password("qwerty123456", world.people["carer"])
    with pytest.raises(ValidationError):
        validate_password("129384756102", world.people["carer"])


def test_the_change_password_page_refuses_a_short_password(world, client):
    client.force_login(world.people["carer"])
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": PASSWORD, "password1": "short-pass1", "password2": "short-pass1"})
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    world.people["carer"].refresh_from_db()
    assert world.people["carer"].check_password(PASSWORD)


def test_the_session_key_changes_at_sign_in(world, client):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    response = sign_in(client, world.people["carer"].email)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert client.get(reverse("home")).status_code == 200


def test_changing_the_password_ends_the_persons_other_sessions_but_not_this_one(world):
    carer = world.people["carer"]
    laptop, phone = Client(), Client()
    sign_in(laptop, carer.email)
    sign_in(phone, carer.email)
    assert phone.get(reverse("home")).status_code == 200

    response = laptop.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"})
    assert response.status_code == 302

    assert laptop.get(reverse("home")).status_code == 200
    response = phone.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_sessions_expire_after_30_idle_minutes_and_each_request_restarts_the_clock(world, client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False
    client.force_login(world.people["carer"])
    response = client.get(reverse("home"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 30 * 60
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_session_ends_12_hours_after_sign_in_whatever_the_activity(world, client):
    assert settings.SESSION_ABSOLUTE_LIMIT_SECONDS == 12 * 60 * 60
    sign_in(client, world.people["carer"].email)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    assert abs(session[STARTED_AT] - time.time()) < 60
    session[STARTED_AT] = int(time.time()) - 12 * 60 * 60 + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200  # a minute to go
    session = client.session
    session[STARTED_AT] = int(time.time()) - 12 * 60 * 60 - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    # Signed out for good, not just redirected once.
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


def test_keep_alive_restarts_the_idle_clock_for_a_signed_in_person(world, client):
    client.force_login(world.people["social_worker"])
    response = client.get(reverse("session_keep_alive"))
    assert response.status_code == 200
    body = response.json()
    assert body["idle_seconds"] == 30 * 60
    assert 0 < body["absolute_seconds"] <= 12 * 60 * 60
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60
    assert client.post(reverse("session_keep_alive")).status_code == 405


def test_keep_alive_does_not_revive_a_session_that_has_ended(client):
    response = client.get(reverse("session_keep_alive"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_signed_in_pages_carry_the_timeout_warning_dialog(world, client):
    client.force_login(world.people["designated_teacher"])
    html = client.get(reverse("home")).content.decode()
    dialog = re.search(r"<dialog id=\"timeout-warning\"[^>]*>", html)
    assert dialog, "the timeout warning should be on every signed-in page"
    tag = dialog.group(0)
    assert 'data-idle-seconds="1800"' in tag
    assert 'data-warning-seconds="120"' in tag
    assert f'data-keep-alive-url="{reverse("session_keep_alive")}"' in tag
    assert re.search(r'data-absolute-seconds="\d+"', tag)
    assert "Stay signed in" in html and "Sign out" in html
    # JavaScript lives in a module, never inline (the CSP forbids inline script).
    assert "<script>" not in html and "onclick" not in html
    assert 'src="/static/js/epep.mjs"' in html


def test_the_sign_in_page_has_no_timeout_warning(client):
    assert "timeout-warning" not in client.get(reverse("account_login")).content.decode()


def test_the_timeout_warning_module_is_imported_by_the_main_module():
    source = (settings.BASE_DIR / "static" / "js" / "epep.mjs").read_text()
    assert 'import "./timeout-warning.mjs";' in source


def test_the_warning_counts_down_in_plain_english():
    import json
    import subprocess

    script = ("import('./static/js/timeout-warning.mjs').then(m => console.log(JSON.stringify("
              "[120, 119, 61, 60, 59, 1].map(m.describe))))")
    result = subprocess.run(  # noqa: S603, S607 - fixed arguments; Node.js is needed by `make install`
        ["node", "--input-type=module", "-e", script], cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["2 minutes", "1 minute 59 seconds", "1 minute 1 second", "1 minute",
                                         "59 seconds", "1 second"]
