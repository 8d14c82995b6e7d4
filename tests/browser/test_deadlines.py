"""Deadline pages in Chromium, each checked with axe and the Nu HTML checker."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By

from children.models import Child
from deadlines.models import ConcernRequest
from tests.browser.conftest import sign_in, sign_out, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_an_la_admin_reviews_term_dates_and_settings(browser, pages, live_server, demo):
    sign_in(browser, live_server, "admin@demo.test", PASSWORD)
    browser.get(live_server.url + "/deadlines/term-dates/")
    assert "Autumn 2026/27" in browser.page_source
    pages.check("term dates")
    browser.find_element(By.LINK_TEXT, "Upload term dates").click()
    pages.check("upload term dates")
    submit_and_wait(browser)
    assert "Select a CSV file of term dates" in browser.page_source
    pages.check("upload term dates with errors", raw=False)
    browser.get(live_server.url + "/deadlines/term-dates/")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Change").click()
    pages.check("change a term")
    browser.get(live_server.url + "/deadlines/settings/")
    pages.check("deadline settings")
    browser.find_element(By.CSS_SELECTOR, "input[name=post16_pattern][value=staffordshire]").click()
    submit_and_wait(browser)
    assert "The deadline settings have been saved" in browser.page_source
    pages.check("settings saved", raw=False)
    sign_out(browser)


def test_a_social_worker_sees_deadlines_and_asks_for_a_concern_review(browser, pages, live_server, demo):
    sign_in(browser, live_server, "sw@demo.test", PASSWORD)
    assert "PEP deadlines" in browser.page_source
    browser.get(live_server.url + "/deadlines/")
    pages.check("deadlines list")
    browser.get(live_server.url + "/deadlines/?status=needs_action")
    pages.check("deadlines needing action")
    child = Child.objects.get(la_reference="DEMO0003")
    browser.get(live_server.url + f"/deadlines/children/{child.pk}/concern-review/")
    pages.check("ask for a concern review")
    submit_and_wait(browser)
    assert "Enter why you are asking for a concern review" in browser.page_source
    pages.check("concern review with errors", raw=False)
    browser.find_element(By.NAME, "reason").send_keys("Not attending since half-term.")
    submit_and_wait(browser)
    assert "The concern review has been asked for" in browser.page_source
    assert ConcernRequest.objects.filter(child=child).count() == 1
    sign_out(browser)
