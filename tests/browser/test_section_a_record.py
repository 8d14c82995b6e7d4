"""Section A's facts typed once (issue #14 point 8), in a real browser: the social worker
sees them from the record with where to change them; the Virtual School changes the legal
status in section A and the child's page says the same. axe, the Nu checker, screenshots."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from children.models import Child
from peps.models import Section
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.factories import PASSWORD
from tests.peps.factories import start_pep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_section_a_reads_and_writes_the_childs_record(browser, pages, live_server, world):
    Child.objects.filter(pk=world.child.pk).update(legal_status="s20")
    pep = start_pep(world.child)
    Section.objects.filter(pep=pep, letter="A").update(editor_roles=["social_worker", "virtual_school"])

    sign_in(browser, live_server, world.people["social_worker"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/A/edit/")
    pages.check("8 section A for the social worker: facts from the record")
    assert "Section 20 (accommodated)" in browser.page_source
    assert "Change this on the child's record" in browser.page_source
    assert not browser.find_elements(By.NAME, "legal_status")
    sign_out(browser)

    sign_in(browser, live_server, world.people["vs_officer"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/A/edit/")
    pages.check("8 section A for the Virtual School: legal status editable")
    Select(browser.find_element(By.NAME, "legal_status")).select_by_value("co")
    submit_and_wait(browser, "main form button[value=save]")
    assert "Section A saved" in browser.page_source
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/A/")
    assert "Full care order" in browser.page_source
    pages.check("8 section A after the change")
    browser.get(f"{live_server.url}/children/{world.child.pk}/")
    assert "Full care order" in browser.page_source
    pages.check("8 child page agrees with section A")
    world.child.refresh_from_db()
    assert world.child.legal_status == "co"


def test_section_a_is_not_complete_without_the_records_legal_status(browser, pages, live_server, world):
    """Issue 14: "mark as complete" with no legal status on the child's record is a GOV.UK
    error that says so and links to where the record shows it; nothing is saved."""
    from peps.demo import sample_answers

    pep = start_pep(world.child)
    assert not Child.objects.get(pk=world.child.pk).legal_status
    sign_in(browser, live_server, world.people["social_worker"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/A/edit/")
    for name, value in sample_answers(pep.phase, "A").items():
        field = browser.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        elif field.get_attribute("type") == "radio":
            browser.find_element(By.CSS_SELECTOR, f"input[name={name}][value='{value}']").click()
        else:
            field.clear()
            field.send_keys(value)
    submit_and_wait(browser, "main form button[value=complete]")
    pages.check("c section A marked complete without the legal status")
    link = browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary__list a")
    assert link.text.startswith("The child's record has no legal status")
    assert link.get_attribute("href").endswith(f"/children/{world.child.pk}/#legal-status")
    assert pep.sections.get(letter="A").version == 0
