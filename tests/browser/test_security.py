"""In Chromium: a member of staff sets up an authenticator app at first sign-in and signs in
with its code; the GOV.UK timeout warning appears, keeps the session alive, and signs the
person out when time runs out. Every page is checked with axe and the Nu HTML checker."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.security.helpers import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    cache.clear()
    yield build_world()
    cache.clear()


def heading(browser) -> str:
    return browser.find_element(By.TAG_NAME, "h1").text


def test_staff_set_up_an_authenticator_app_and_sign_in_with_its_code(browser, pages, live_server, world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    sw = world.people["social_worker"]
    sign_in(browser, live_server, sw.email, PASSWORD)
    assert heading(browser) == "Set up an authenticator app"
    assert "you must confirm it is you" in browser.page_source
    # Checked from the DOM: fetching the page again would make allauth issue a new key.
    pages.check("set up an authenticator app", raw=False)

    # Other pages send them back here until it is done.
    browser.get(f"{live_server.url}/children/{world.child.pk}/")
    assert heading(browser) == "Set up an authenticator app"

    secret = browser.find_element(By.ID, "totp-secret").get_attribute("textContent").strip()
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    browser.find_element(By.NAME, "code").send_keys(wrong)
    submit_and_wait(browser, "main form button[type=submit]")
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    assert "Enter the 6-digit code shown in your authenticator app" in browser.page_source
    pages.check("set-up code refused", raw=False)

    secret = browser.find_element(By.ID, "totp-secret").get_attribute("textContent").strip()
    browser.find_element(By.NAME, "code").clear()
    browser.find_element(By.NAME, "code").send_keys(totp_code(secret))
    submit_and_wait(browser, "main form button[type=submit]")
    assert heading(browser) == "Your recovery codes"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#recovery-codes li")) == 10
    pages.check("recovery codes")

    browser.get(f"{live_server.url}/accounts/2fa/")
    assert heading(browser) == "Two-factor authentication"
    pages.check("two-factor authentication")
    browser.get(f"{live_server.url}/accounts/password/change/")
    pages.check("change password")

    browser.get(f"{live_server.url}/children/{world.child.pk}/")
    assert "Ruby" in browser.page_source
    sign_out(browser)

    sign_in(browser, live_server, sw.email, PASSWORD)
    assert heading(browser) == "Enter the code from your authenticator app"
    pages.check("enter the code")
    browser.find_element(By.NAME, "code").send_keys(totp_code(secret))
    submit_and_wait(browser, "main form button[type=submit]")
    assert heading(browser).startswith("Hello")
    browser.get(f"{live_server.url}/children/{world.child.pk}/")
    assert "Ruby" in browser.page_source
    pages.check("child's record after two-factor sign-in")


def _dialog_open(browser) -> bool:
    return browser.execute_script("return document.getElementById('timeout-warning').open")


def test_the_timeout_warning_keeps_the_session_alive_on_request(browser, pages, live_server, world, settings):
    # With a 125-second idle timeout the 2-minute warning shows after about 5 seconds.
    settings.SESSION_COOKIE_AGE = 125
    sign_in(browser, live_server, world.people["carer"].email, PASSWORD)
    assert not _dialog_open(browser)
    WebDriverWait(browser, 20).until(_dialog_open)
    dialog = browser.find_element(By.ID, "timeout-warning")
    assert "You’re about to be signed out" in dialog.text
    assert "we will sign you out in" in dialog.text
    # Focus moves into the dialog, on "Stay signed in".
    assert browser.switch_to.active_element.text == "Stay signed in"
    pages.check("timeout warning", raw=False)

    browser.find_element(By.CSS_SELECTOR, "#timeout-warning [data-keep-alive]").click()
    WebDriverWait(browser, 10).until(lambda b: not _dialog_open(b))
    browser.get(f"{live_server.url}/")
    assert heading(browser).startswith("Hello")


def test_the_timeout_warning_signs_the_person_out_when_time_runs_out(browser, live_server, world, settings):
    settings.SESSION_COOKIE_AGE = 6
    sign_in(browser, live_server, world.people["carer"].email, PASSWORD)
    WebDriverWait(browser, 10).until(_dialog_open)
    WebDriverWait(browser, 20).until(lambda b: "/accounts/login/" in b.current_url)
    assert heading(browser) == "Sign in"
    browser.get(f"{live_server.url}/")
    assert "/accounts/login/" in browser.current_url
