"""Issue 14 in Chromium: who arranges the PEP meeting (point 5) and the small things a first
use found (point 9). Every page is checked with axe and the Nu HTML checker, and a
screenshot of each is saved to test-artefacts/."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from selenium.webdriver.common.by import By

from deadlines.models import Outbox
from meetings.models import MeetingSettings
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.meetings.factories import make_pep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    cache.clear()
    yield build_world()
    cache.clear()


def heading(browser) -> str:
    return browser.find_element(By.TAG_NAME, "h1").text


def test_point5_a_social_worker_is_told_who_arranges_the_meeting_and_asks_them(browser, pages, live_server, world):
    pep = make_pep(world.child)
    # The LA admin chooses the school and the Virtual School to arrange meetings.
    sign_in(browser, live_server, world.people["admin_user"].email, PASSWORD)
    browser.get(f"{live_server.url}/meetings/settings/")
    pages.check("point5 meeting settings")
    browser.find_element(By.CSS_SELECTOR, "input[name='scheduler_roles'][value='social_worker']").click()
    submit_and_wait(browser)
    assert MeetingSettings.objects.get(local_authority=world.la).scheduler_roles == [
        "designated_teacher", "virtual_school"]
    sign_out(browser)

    sign_in(browser, live_server, world.people["social_worker"].email, PASSWORD)
    browser.get(f"{live_server.url}/meetings/pep/{pep.pk}/schedule/")
    assert heading(browser) == "You cannot arrange this PEP's meeting"
    assert "A designated teacher or a Virtual School officer arranges this PEP's meeting" in browser.page_source
    pages.check("point5 who arranges (403)", raw=False)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    pages.check("point5 pep page with the ask")
    submit_and_wait(browser, "button[data-ask-to-arrange]")
    assert "to arrange this PEP" in browser.find_element(By.CSS_SELECTOR, ".govuk-notification-banner").text
    pages.check("point5 asked", raw=False)
    assert sorted(Outbox.objects.values_list("to", flat=True)) == [
        "designated_teacher@example.test", "vs_officer@example.test"]
    sign_out(browser)

    # The carer is told who arranges it and is not offered the ask.
    sign_in(browser, live_server, world.people["carer"].email, PASSWORD)
    browser.get(f"{live_server.url}/meetings/pep/{pep.pk}/schedule/")
    assert "arranges this PEP's meeting" in browser.page_source
    assert not browser.find_elements(By.CSS_SELECTOR, "button[data-ask-to-arrange]")
    pages.check("point5 carer who arranges (403)", raw=False)
