from __future__ import annotations

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from children.models import Child
from core.roles import Role
from tests.browser.conftest import sign_in, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output


def test_the_virtual_school_searches_opens_a_child_links_a_carer_and_edits_a_placement(
        browser, pages, live_server, demo):
    sign_in(browser, live_server, "vs@demo.test", "demo-pass-2026")
    pages.check("home of the Virtual School")
    browser.find_element(By.LINK_TEXT, "Search children by name or reference").click()
    pages.check("children of the LA")

    browser.find_element(By.NAME, "q").send_keys("Taylor")
    submit_and_wait(browser, "main form button[type=submit]")
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody .govuk-table__row")
    assert len(rows) == 1 and "Olivia Taylor" in rows[0].text
    pages.check("search results")

    browser.find_element(By.LINK_TEXT, "Olivia Taylor").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Olivia Taylor"
    pages.check("child page")

    browser.find_element(By.LINK_TEXT, "Link a person").click()
    pages.check("link a person")
    # A mistake first: the GOV.UK error summary, and nothing linked.
    browser.find_element(By.NAME, "email").send_keys("nobody@demo.test")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=carer]").click()
    submit_and_wait(browser)
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("link a person with errors", raw=False)
    email = browser.find_element(By.NAME, "email")
    email.clear()
    email.send_keys("carer2@demo.test")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=carer]").click()
    submit_and_wait(browser)
    assert "Casey Carer has been linked to Olivia Taylor" in browser.page_source
    pages.check("carer linked")
    child = Child.objects.get(first_name="Olivia", last_name="Taylor")
    assert child.team.filter(user__email="carer2@demo.test", role=Role.CARER, ends_on__isnull=True).exists()

    browser.find_element(By.CSS_SELECTOR, "a[href$='/edit/'][href*='/placements/']").click()
    pages.check("change a placement")
    Select(browser.find_element(By.NAME, "year_group")).select_by_visible_text("Year 1")
    browser.find_element(By.NAME, "part_time_timetable").click()
    submit_and_wait(browser)
    assert "has been saved" in browser.page_source
    pages.check("placement changed")
    placement = child.placements.get(ended_on__isnull=True)
    assert (placement.year_group, placement.part_time_timetable) == (1, True)

    browser.find_element(By.LINK_TEXT, "Audit history").click()
    assert "Casey Carer" in browser.page_source and "Reception → Year 1" in browser.page_source
    pages.check("audit history")


def test_the_add_and_import_pages_pass_the_checks(browser, pages, live_server, demo):
    sign_in(browser, live_server, "admin@demo.test", "demo-pass-2026")
    browser.get(live_server.url + "/children/new/")
    pages.check("add a child")
    submit_and_wait(browser)
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("add a child with errors", raw=False)
    browser.get(live_server.url + "/children/import/")
    pages.check("import children")
