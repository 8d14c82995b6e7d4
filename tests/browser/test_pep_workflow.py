"""A PEP from start to approval in a real browser, every page checked by axe and the Nu checker.

The social worker starts the PEP and fills in A, the designated teacher B, the young person
C on a 375 px wide phone screen, the carer D; the designated teacher records E and submits;
the Virtual School returns it with a reason; the designated teacher fixes it and resubmits;
the Virtual School approves it.

The meeting date is set through the ORM (as the meetings app's "record the meeting" page
would): this test is about the PEP's own pages. The other apps' submit checks and the PDF
hook are switched off here for the same reason; their own browser tests cover them.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from children.models import Child
from core import hooks
from peps import hooks as peps_hooks
from peps.models import Pep
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLETE = "main form button[value=complete]"


@pytest.fixture(autouse=True)
def only_the_pep_workflow():
    with hooks.isolated(peps_hooks.BEFORE_SUBMIT, peps_hooks.AFTER_APPROVE):
        yield


def _type(browser, name: str, text: str) -> None:
    element = browser.find_element(By.NAME, name)
    element.clear()
    element.send_keys(text)


def _choose(browser, name: str, value: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"input[name={name}][value={value}]").click()


def _select(browser, name: str, value: str) -> None:
    Select(browser.find_element(By.NAME, name)).select_by_value(value)


def _open_section(browser, pages, live_server, pep: Pep, letter: str, who: str) -> None:
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    pages.check(f"PEP page for the {who}")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/peps/{pep.pk}/sections/{letter}/edit/']").click()
    pages.check(f"section {letter} form")


def test_a_pep_from_start_to_approval(browser, pages, live_server, world):
    people = world.people
    child = world.child
    # Section A is complete only when the child's record holds the legal status it shows
    # (issue #14 c); the record is the Virtual School's to keep.
    Child.objects.filter(pk=child.pk).update(legal_status="co")

    # The social worker starts the PEP from the child's page and fills in section A.
    sign_in(browser, live_server, people["social_worker"].email, PASSWORD)
    browser.get(f"{live_server.url}/children/{child.pk}/")
    pages.check("child page with PEP history")
    browser.find_element(By.LINK_TEXT, "Start a new PEP").click()
    pages.check("start a PEP")
    _choose(browser, "kind", "termly")
    submit_and_wait(browser)
    pep = Pep.objects.get(child=child)
    pages.check("new PEP")
    _open_section(browser, pages, live_server, pep, "A", "social worker")
    # Legal status, the date entered care, the school, carers and social worker come from the
    # child's record and team (issue #14 point 8): shown, not typed.
    assert "2 September 2024" in browser.page_source and "social_worker@example.test" in browser.page_source
    assert not browser.find_elements(By.NAME, "legal_status") and not browser.find_elements(By.NAME, "carer_name")
    _select(browser, "placement_type", "foster")
    _type(browser, "parental_responsibility", "Shared between the local authority and the mother.")
    _type(browser, "delegated_authority", "School trips and clubs.")
    _type(browser, "sdq_score", "12")
    submit_and_wait(browser, COMPLETE)
    assert "Section A marked as complete" in browser.page_source
    pages.check("PEP after section A")
    sign_out(browser)

    # The designated teacher fills in section B; a first try shows the error summary.
    sign_in(browser, live_server, people["designated_teacher"].email, PASSWORD)
    _open_section(browser, pages, live_server, pep, "B", "designated teacher")
    _type(browser, "attendance_percent", "92.4")
    submit_and_wait(browser, COMPLETE)
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("section B with errors", raw=False)
    for name in ("suspensions_count", "permanent_exclusions"):
        _type(browser, name, "0")
    _choose(browser, "part_time_timetable", "no")
    _choose(browser, "sen_status", "none")
    for subject, rating in (("english", "working_towards"), ("maths", "at"), ("science", "at")):
        _choose(browser, f"attainment_{subject}", rating)
    _type(browser, "progress_notes", "Reading age up by a year.")
    _type(browser, "semh", "Settled; uses the quiet room at lunch.")
    submit_and_wait(browser, COMPLETE)
    assert "Section B marked as complete" in browser.page_source
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/B/")
    assert "Below 95%" in browser.page_source
    pages.check("section B read-only with the attendance flag")
    sign_out(browser)

    # The young person fills in section C on a phone-sized screen.
    browser.set_window_size(375, 800)
    sign_in(browser, live_server, people["young_person"].email, PASSWORD)
    _open_section(browser, pages, live_server, pep, "C", "young person")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375
    _choose(browser, "feel_safe", "mostly")
    _type(browser, "going_well", "Art and my friends.")
    _type(browser, "could_be_better", "Maths homework.")
    _type(browser, "hopes_and_dreams", "I want to be a vet.")
    submit_and_wait(browser, COMPLETE)
    assert "Section C marked as complete" in browser.page_source
    pages.check("PEP after section C on a phone")
    sign_out(browser)
    browser.set_window_size(1280, 1000)

    # The carer fills in section D.
    sign_in(browser, live_server, people["carer"].email, PASSWORD)
    _open_section(browser, pages, live_server, pep, "D", "carer")
    _type(browser, "homework_and_equipment", "Homework done most nights.")
    _type(browser, "reading_at_home", "We read together at bedtime.")
    _type(browser, "interests_to_develop", "Football.")
    submit_and_wait(browser, COMPLETE)
    assert "Section D marked as complete" in browser.page_source
    sign_out(browser)

    # The meeting is held (the meetings app records its date), and the DT records section E.
    Pep.objects.filter(pk=pep.pk).update(meeting_held_on=timezone.localdate())
    sign_in(browser, live_server, people["designated_teacher"].email, PASSWORD)
    _open_section(browser, pages, live_server, pep, "E", "designated teacher")
    _type(browser, "attendees", "Designated teacher\nSocial worker\nCarer")
    _type(browser, "going_well", "Settled in class.")
    _type(browser, "difficulties", "Attendance.")
    _type(browser, "support_in_place", "Mentoring.")
    _type(browser, "actions", "School to call the carer weekly about attendance.")
    _type(browser, "next_meeting_date", (timezone.localdate() + timezone.timedelta(days=90)).strftime("%d/%m/%Y"))
    _type(browser, "dt_summary", "A good term.")
    browser.find_element(By.CSS_SELECTOR, "input[name=dt_sign_off]").click()
    submit_and_wait(browser, COMPLETE)
    assert "Section E marked as complete" in browser.page_source
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/E/")
    pages.check("section E read-only")
    browser.get(f"{live_server.url}/peps/{pep.pk}/submit/")
    pages.check("submit page")
    submit_and_wait(browser)
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.SUBMITTED
    pages.check("PEP submitted")
    sign_out(browser)

    # The Virtual School returns it with a reason.
    sign_in(browser, live_server, people["vs_officer"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    pages.check("submitted PEP for the Virtual School")
    browser.find_element(By.LINK_TEXT, "Return for changes").click()
    pages.check("return page")
    _type(browser, "reason", "Say how the attendance support will be measured.")
    submit_and_wait(browser)
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.RETURNED
    sign_out(browser)

    # The designated teacher sees the reason, fixes section B and resubmits.
    sign_in(browser, live_server, people["designated_teacher"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    assert "Say how the attendance support will be measured." in browser.page_source
    pages.check("returned PEP with the reason")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/peps/{pep.pk}/sections/B/edit/']").click()
    _type(browser, "semh", "Settled; a weekly check-in measures attendance support.")
    submit_and_wait(browser, COMPLETE)
    browser.get(f"{live_server.url}/peps/{pep.pk}/submit/")
    submit_and_wait(browser)
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.SUBMITTED
    sign_out(browser)

    # The Virtual School approves it; it is locked.
    sign_in(browser, live_server, people["vs_officer"].email, PASSWORD)
    browser.get(f"{live_server.url}/quality/peps/{pep.pk}/review/")
    pages.check("quality assurance page")
    for radio in browser.find_elements(By.CSS_SELECTOR, "input[type=radio][value=green]"):
        radio.click()
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=approved]").click()
    submit_and_wait(browser, "main form button[type=submit].govuk-button")
    # Approving is deliberate: a check-your-answers page comes first, and nothing is approved yet.
    assert "Check your answers before approving the PEP" in browser.page_source
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.SUBMITTED
    pages.check("6 check your answers before approving")
    submit_and_wait(browser, "main form button[name=confirm]")
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.APPROVED
    pages.check("approved PEP")
    assert "/edit/" not in browser.find_element(By.ID, "main-content").get_attribute("innerHTML")

    # The Virtual School can undo it: reopen with a reason (an empty reason is an error).
    browser.find_element(By.LINK_TEXT, "Reopen this PEP").click()
    pages.check("6 reopen an approved PEP")
    submit_and_wait(browser)
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("6 reopen with no reason", raw=False)
    _type(browser, "reason", "The school was recorded wrongly.")
    submit_and_wait(browser)
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.RETURNED
    pages.check("6 PEP after reopening")
