"""Issue 14 in Chromium: who arranges the PEP meeting (point 5) and the small things a first
use found (point 9). Every page is checked with axe and the Nu HTML checker, and a
screenshot of each is saved to test-artefacts/."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from selenium.webdriver.common.by import By

from core.models import Outbox
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


# --- point 9 -----------------------------------------------------------------------------

from tests.browser.test_quality import submitted  # noqa: E402,F401 - the seeded demo with a submitted PEP


def test_point9_schedule_errors_come_together_in_page_order_and_every_field_is_styled(
        browser, pages, live_server, world):
    import datetime as dt

    pep = make_pep(world.child)
    sign_in(browser, live_server, world.people["designated_teacher"].email, PASSWORD)
    browser.get(f"{live_server.url}/meetings/pep/{pep.pk}/schedule/")
    date_box = browser.find_element(By.NAME, "date")
    date_box.send_keys((dt.date.today() - dt.timedelta(days=3)).strftime("%d/%m/%Y"))
    browser.find_element(By.NAME, "other_1_name").send_keys("Pat Parent")
    submit_and_wait(browser)
    summary = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".govuk-error-summary__list a")]
    # The past date is reported with the rest, in the order of the page.
    assert summary == ["The date and time of the meeting must be in the future", "Enter the time of the meeting",
                       "Select where the meeting will be", "Select the role of Pat Parent"], summary
    assert "This field is required" not in browser.page_source
    for name in ("date", "time"):
        assert "govuk-input--error" in browser.find_element(By.NAME, name).get_attribute("class")
    assert "govuk-select--error" in browser.find_element(By.NAME, "other_1_role").get_attribute("class")
    pages.check("point9 schedule errors", raw=False)


def test_point9_a_wrong_authenticator_code_is_cleared(browser, pages, live_server, world, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.MFA_REQUIRED_FOR_STAFF = True
    TOTP.activate(world.people["social_worker"], generate_totp_secret())
    sign_in(browser, live_server, world.people["social_worker"].email, PASSWORD)
    assert "/2fa/authenticate" in browser.current_url
    browser.find_element(By.NAME, "code").send_keys("000001")
    submit_and_wait(browser)
    box = browser.find_element(By.NAME, "code")
    assert box.get_attribute("value") == ""
    assert "govuk-input--error" in box.get_attribute("class")
    pages.check("point9 wrong code cleared", raw=False)


def test_point9_the_sdq_box_is_a_styled_gov_uk_input(browser, pages, live_server, world):
    pep = make_pep(world.child)
    sign_in(browser, live_server, world.people["social_worker"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/A/edit/")
    box = browser.find_element(By.NAME, "sdq_score")
    classes = box.get_attribute("class").split()
    assert "govuk-input" in classes and "govuk-input--width-3" in classes
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    pages.check("point9 sdq input")


def test_point9_the_child_page_tables_use_the_full_width(browser, pages, live_server, world):
    sign_in(browser, live_server, world.people["social_worker"].email, PASSWORD)
    browser.get(f"{live_server.url}/children/{world.child.pk}/")
    table = browser.find_elements(By.CSS_SELECTOR, "main table.govuk-table")[1]
    summary = browser.find_element(By.CSS_SELECTOR, "main dl.govuk-summary-list")
    assert table.size["width"] > summary.size["width"] + 100
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", table)
    pages.check("point9 child page wide tables")


def test_point9_turning_off_section_a_asks_first(browser, pages, live_server, world):
    from peps.models import SectionConfig

    sign_in(browser, live_server, world.people["admin_user"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/settings/sections/")
    browser.get(f"{live_server.url}/peps/settings/sections/school_age/")
    browser.find_element(By.CSS_SELECTOR, "input[name='enabled_A']").click()
    submit_and_wait(browser)
    assert heading(browser) == "Turn off section A for school age PEPs?"
    pages.check("point9 confirm section A off", raw=False)
    assert SectionConfig.objects.get(local_authority=world.la, phase="school_age", letter="A").enabled
    submit_and_wait(browser, "button[data-confirm-section-a-off]")
    assert not SectionConfig.objects.get(local_authority=world.la, phase="school_age", letter="A").enabled
    pages.check("point9 section A off", raw=False)


def test_point9_the_qa_review_shows_the_pep_beside_the_form(browser, pages, live_server, submitted):  # noqa: F811
    sign_in(browser, live_server, "vs@demo.test", "demo-pass-2026")
    browser.get(f"{live_server.url}/quality/peps/{submitted.pk}/review/")
    panel = browser.find_element(By.CSS_SELECTOR, "[data-qa-pep-panel]")
    form = browser.find_element(By.CSS_SELECTOR, "main form[method=post]")
    assert panel.location["x"] < form.location["x"] and abs(panel.location["y"] - form.location["y"]) < 400
    assert panel.size["height"] <= 1000
    pages.check("point9 qa review two columns")
    browser.get(f"{live_server.url}/quality/dashboard/")
    assert "pEP" not in browser.page_source
    pages.check("point9 dashboard no pEP")
