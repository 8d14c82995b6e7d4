"""Sign-in throttling (allauth rate limits): 20 failures an hour for one account, then the
account refuses further attempts, with the same message whether or not it exists."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.security.helpers import sign_in

REFUSED = "There have been too many attempts to sign in"
WRONG = "Enter a correct email address and password"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _fail(client, email: str, attempt: int):
    # A different address each time, so that the per-address limit (10 a minute) is not
    # what stops the attempts: this proves the per-account limit.
    return sign_in(client, email, "not-the-password", REMOTE_ADDR=f"10.0.{attempt // 250}.{attempt % 250 + 1}")


def test_the_limits_are_well_under_100_failures_an_hour_per_account():
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    assert "20/h/key" in rates
    assert "10/m/ip" in rates


@pytest.mark.parametrize("exists", [True, False], ids=["existing account", "no such account"])
def test_the_21st_failure_in_an_hour_is_refused_with_the_same_message(exists, world, client, caplog):
    email = world.people["social_worker"].email if exists else "nobody-here@example.test"
    for attempt in range(20):
        response = _fail(client, email, attempt)
        assert response.status_code == 200
        html = response.content.decode()
        assert WRONG in html, f"attempt {attempt + 1}"
        assert REFUSED not in html
    with caplog.at_level(logging.INFO, logger="epep.security"):
        response = _fail(client, email, 20)
    html = response.content.decode()
    assert REFUSED in html
    assert WRONG not in html
    events = [getattr(r, "event", "") for r in caplog.records]
    assert "login_locked_out" in events


def test_even_the_right_password_is_refused_once_the_account_is_locked(world, client):
    email = world.people["carer"].email
    for attempt in range(20):
        _fail(client, email, attempt)
    response = sign_in(client, email, REMOTE_ADDR="10.9.9.9")
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_address_is_limited_to_ten_failures_a_minute(world, client):
    for attempt in range(10):
        response = sign_in(client, f"someone{attempt}@example.test", "wrong-password", REMOTE_ADDR="10.1.1.1")
        assert WRONG in response.content.decode()
    response = sign_in(client, "someone-else@example.test", "wrong-password", REMOTE_ADDR="10.1.1.1")
    assert REFUSED in response.content.decode()


def test_failures_are_logged_without_the_email_or_password(world, client, caplog):
    with caplog.at_level(logging.INFO, logger="epep.security"):
        sign_in(client, world.people["carer"].email, "my-secret-guess-123")
    failed = [r for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    assert failed
    for record in failed:
        text = str(record.__dict__)
        assert "my-secret-guess-123" not in text
        assert world.people["carer"].email not in text
