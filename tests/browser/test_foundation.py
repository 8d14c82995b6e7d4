from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from selenium.webdriver.common.by import By

from accounts.demo import DEMO_LOGINS
from tests.browser.conftest import sign_in, sign_out, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_public_pages_pass_axe_and_the_html_checker(browser, pages, live_server, demo):
    for path, label in (("/accounts/login/", "sign in"), ("/request-a-login/", "request a login"),
                        ("/accounts/password/reset/", "password reset")):
        browser.get(live_server.url + path)
        pages.check(label)
    # A form with errors keeps its GOV.UK error summary accessible too.
    browser.get(live_server.url + "/request-a-login/")
    submit_and_wait(browser)
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("request a login with errors", raw=False)


def test_each_demo_login_reaches_its_home_page(browser, pages, live_server, demo):
    for email, _name, role in DEMO_LOGINS:
        sign_in(browser, live_server, email, "demo-pass-2026")
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Hello")
        pages.check(f"home of {role.label}")
        browser.find_element(By.LINK_TEXT, "Children").click()
        pages.check(f"children of {role.label}")
        sign_out(browser)


def test_an_invited_person_sets_a_password_and_signs_in(browser, pages, live_server, demo):
    sign_in(browser, live_server, "admin@demo.test", "demo-pass-2026")
    browser.get(live_server.url + "/people/")
    pages.check("people")
    browser.find_element(By.LINK_TEXT, "Register a new person").click()
    pages.check("register a person")
    browser.find_element(By.NAME, "full_name").send_keys("Robin Newcarer")
    browser.find_element(By.NAME, "email").send_keys("robin@example.test")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=carer]").click()
    submit_and_wait(browser)
    assert "has been registered" in browser.page_source
    pages.check("registered", raw=False)
    sign_out(browser)

    invitations = [m for m in mail.outbox if m.to == ["robin@example.test"]]
    assert len(invitations) == 1
    link = re.search(r"http://\S+/invitations/\S+/", invitations[0].body).group(0)
    path = link.split("/invitations/")[1]
    browser.get(live_server.url + "/invitations/" + path)
    pages.check("set your password")
    for name in ("password1", "password2"):
        browser.find_element(By.NAME, name).send_keys("robins-new-long-passphrase")
    submit_and_wait(browser)
    assert "Your password has been set" in browser.page_source
    sign_in(browser, live_server, "robin@example.test", "robins-new-long-passphrase")
    assert "Hello, Robin" in browser.page_source
    pages.check("new person's home")
