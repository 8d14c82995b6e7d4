"""Helpers for the security tests: real sign-in through allauth and TOTP codes computed
with allauth's own implementation (as an authenticator app would)."""

from __future__ import annotations

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.factories import PASSWORD

SECRET_ON_PAGE = re.compile(r'id="totp-secret">([A-Z2-7=]+)<')


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset: periods before or after)."""
    counter = int(time.time()) // 30 + offset
    return format_hotp_value(hotp_value(secret, counter))


def secret_from_page(html: str) -> str:
    match = SECRET_ON_PAGE.search(html)
    assert match, "the set-up page should show the key to type into an authenticator app"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def activate_totp(client) -> str:
    """Set up an authenticator app for the signed-in person; returns the secret."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    secret = secret_from_page(page.content.decode())
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret



def signed_in_then_timed_out(person):
    """A browser where `person` signed in through the portal and whose session has since
    ended (as after the idle timeout): what it remembers is only the browser's own cookies."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.test import Client

    from accounts import signed_in_browser

    browser = Client()
    assert sign_in(browser, person.email).status_code == 302
    assert signed_in_browser.COOKIE in browser.cookies
    Session.objects.filter(session_key=browser.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    assert "_auth_user_id" not in browser.session
    return browser
