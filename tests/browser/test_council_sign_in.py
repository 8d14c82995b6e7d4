"""Staff sign in with their council account: through a real OpenID Connect provider (the
certified oidc-provider package, run locally by tests/oidc), in Chromium. No mocked
responses: allauth fetches the provider's discovery document, sends the browser to its
sign-in page, and exchanges the code for tokens over HTTP like it would with Entra ID."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import CouncilSignIn
from core.models import AuditEvent
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.oidc.provider import LocalOidcProvider, ProviderAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT_ID = "epep-portal"
CLIENT_SECRET = "test-client-secret-9f3a"  # noqa: S105 - the local test provider's
AMR = ["pwd", "mfa"]
ACR = "urn:epep:test:mfa"


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def provider(live_server, world):
    callback = f"{live_server.url}/accounts/oidc/council-{world.la.pk}/login/callback/"
    accounts = [
        ProviderAccount(sub="sw-0001", email="social_worker@example.test", password="provider-pass-1"),
        ProviderAccount(sub="nobody-0002", email="nobody@example.test", password="provider-pass-2"),
        ProviderAccount(sub="carer-0003", email="carer@example.test", password="provider-pass-3"),
    ]
    running = LocalOidcProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[callback],
                                accounts=accounts, amr=AMR, acr=ACR).start()
    yield running
    running.stop()


def _configure_as_admin(browser, live_server, pages, world, provider, *, enforces_mfa: bool) -> None:
    """The LA admin sets up council sign-in on their settings page, as a person would."""
    sign_in(browser, live_server, "admin_user@example.test", PASSWORD)
    browser.get(live_server.url + "/people/")
    browser.find_element(By.LINK_TEXT, "Council sign-in").click()
    pages.check("council sign-in settings (empty)")
    # Saving with nothing filled in shows the GOV.UK error summary.
    submit_and_wait(browser)
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    assert "Enter the issuer URL" in browser.page_source
    pages.check("council sign-in settings with errors", raw=False)
    browser.find_element(By.NAME, "issuer_url").send_keys(provider.issuer)
    browser.find_element(By.NAME, "client_id").send_keys(CLIENT_ID)
    browser.find_element(By.NAME, "client_secret").send_keys(CLIENT_SECRET)
    browser.find_element(By.NAME, "domains").send_keys("example.test")
    if enforces_mfa:
        browser.find_element(By.NAME, "provider_enforces_mfa").click()
    submit_and_wait(browser)
    assert "Council sign-in has been saved" in browser.page_source
    # The secret is never shown back: only its last four characters.
    assert CLIENT_SECRET not in browser.page_source
    assert "Ending in 9f3a" in browser.page_source
    pages.check("council sign-in settings (saved)")
    sign_out(browser)
    browser.delete_all_cookies()


def _sign_in_with_council_account(browser, live_server, pages, *, email: str, password: str,
                                  check: bool = False) -> None:
    browser.get(live_server.url + "/accounts/login/")
    browser.find_element(By.LINK_TEXT, "Sign in with your council account").click()
    if check:
        pages.check("sign in with your council account")
    browser.find_element(By.NAME, "email").send_keys(email)
    submit_and_wait(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in with your Testshire County Council account"
    if check:
        pages.check("continue to the council's sign-in", raw=False)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    # Now on the council's own sign-in page (the local provider's).
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "provider-sign-in"))
    browser.find_element(By.ID, "login").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "provider-sign-in").click()
    # Back through allauth's callback to the portal.
    WebDriverWait(browser, 15).until(
        lambda d: d.current_url.startswith(live_server.url + "/") and d.find_elements(By.TAG_NAME, "h1")
    )


def test_a_member_of_staff_signs_in_with_their_council_account(browser, pages, live_server, world, provider,
                                                                settings):
    _configure_as_admin(browser, live_server, pages, world, provider, enforces_mfa=True)
    # From here the portal's own MFA is required of staff, as in production.
    settings.MFA_REQUIRED_FOR_STAFF = True

    _sign_in_with_council_account(browser, live_server, pages, email="social_worker@example.test",
                                  password="provider-pass-1", check=True)
    # The provider enforces MFA (the LA says so): no authenticator-app step, straight home.
    assert browser.find_element(By.TAG_NAME, "h1").text == "Hello, Social"
    assert "/2fa/" not in browser.current_url
    pages.check("home after council sign-in")
    browser.get(live_server.url + "/children/")
    assert browser.find_element(By.TAG_NAME, "h1").text != "Set up an authenticator app"
    assert "/2fa/" not in browser.current_url

    # One audit event, with what the provider said about how the person signed in.
    event = AuditEvent.objects.get(object_type="accounts.councilsignin", verb="accepted")
    assert event.actor == world.people["social_worker"]
    assert event.changes["provider_said"]["amr"] == AMR
    assert event.changes["provider_said"]["acr"] == ACR
    assert event.changes["provider_enforces_mfa"] is True
    assert event.changes["subject"] == "sw-0001"


def test_an_unknown_email_is_refused(browser, pages, live_server, world, provider):
    _configure_as_admin(browser, live_server, pages, world, provider, enforces_mfa=True)

    _sign_in_with_council_account(browser, live_server, pages, email="nobody@example.test",
                                  password="provider-pass-2")
    assert browser.find_element(By.TAG_NAME, "h1").text == "You cannot sign in with this council account"
    assert "There is no staff login for nobody@example.test" in browser.page_source
    pages.check("council sign-in refused", raw=False)
    # Nobody was signed in or signed up.
    browser.get(live_server.url + "/")
    assert "/accounts/login/" in browser.current_url
    assert not AuditEvent.objects.filter(object_type="accounts.councilsignin", verb="accepted").exists()
    from accounts.models import User

    assert not User.objects.filter(email="nobody@example.test").exists()

    # A carer keeps signing in with their password, even with an address in the domain.
    # (First sign out of the provider: its session cookie is on its own host.)
    browser.get(provider.issuer + "/.well-known/openid-configuration")
    browser.delete_all_cookies()
    _sign_in_with_council_account(browser, live_server, pages, email="carer@example.test",
                                  password="provider-pass-3")
    assert "There is no staff login for carer@example.test" in browser.page_source


def test_without_provider_mfa_the_portal_asks_for_its_own(browser, pages, live_server, world, provider, settings):
    _configure_as_admin(browser, live_server, pages, world, provider, enforces_mfa=False)
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert CouncilSignIn.objects.get().provider_enforces_mfa is False

    _sign_in_with_council_account(browser, live_server, pages, email="social_worker@example.test",
                                  password="provider-pass-1")
    # Signed in, but staff must set up the portal's authenticator app before any data.
    assert "/accounts/2fa/totp/activate/" in browser.current_url
    event = AuditEvent.objects.get(object_type="accounts.councilsignin", verb="accepted")
    assert event.changes["provider_enforces_mfa"] is False
