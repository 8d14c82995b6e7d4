"""The accessibility statement, privacy notice and cookies page, reached from the footer
without signing in, and the LA admin's page for the council's details on them. Every page
passes axe and the Nu HTML checker."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import sign_in, submit_and_wait
from tests.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_the_public_pages_and_the_admins_details_page(browser, pages, live_server, world):
    # An LA admin fills in the council's details; a bad address first gets an error summary.
    sign_in(browser, live_server, "admin_user@example.test", PASSWORD)
    browser.find_element(By.LINK_TEXT, "Contact details on these pages").click()
    pages.check("contact details form")
    browser.find_element(By.NAME, "contact_email").send_keys("not-an-address")
    submit_and_wait(browser)
    assert "There is a problem" in browser.page_source
    pages.check("contact details with errors", raw=False)
    values = {"contact_email": "virtual.school@testshire.example", "contact_phone": "01234 000111",
              "dpo_name": "Pat Privacy", "dpo_email": "dpo@testshire.example",
              "postal_address": "County Hall\nTesttown", "ico_registration": "Z1234567"}
    for name, value in values.items():
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    submit_and_wait(browser)
    assert "have been saved" in browser.page_source
    pages.check("contact details saved", raw=False)
    submit_and_wait(browser, "nav form button[type=submit]")  # sign out

    # Anyone, signed out, follows the footer links.
    browser.get(live_server.url + "/accounts/login/")
    browser.find_element(By.LINK_TEXT, "Accessibility statement").click()
    assert "virtual.school@testshire.example" in browser.page_source
    pages.check("accessibility statement")
    browser.find_element(By.CSS_SELECTOR, "footer a[href='/privacy/']").click()
    assert "Pat Privacy" in browser.page_source and "75th birthday" in browser.page_source
    pages.check("privacy notice")
    browser.find_element(By.CSS_SELECTOR, "footer a[href='/cookies/']").click()
    assert "sessionid" in browser.page_source
    pages.check("cookies")
