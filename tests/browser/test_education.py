"""The education record in a browser: the record page, a form with errors, the chronology,
the PEP's change since the last PEP and pre-check, and the carer's view. axe and the Nu
HTML checker on every page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By

from children.models import Child
from education.models import Attendance
from peps.models import Pep
from tests.browser.conftest import ARTEFACTS, sign_in, sign_out, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def full_page(browser, name: str) -> None:
    """A screenshot of the whole page (the checker's are of the window only), to look at."""
    ARTEFACTS.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height + 100, 8000))
    browser.save_screenshot(str(ARTEFACTS / f"education-full-{name}.png"))
    browser.set_window_size(1280, 1000)


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output


def test_the_designated_teacher_reads_and_adds_to_the_education_record(browser, pages, live_server, demo):
    child = Child.objects.get(first_name="Finley")
    sign_in(browser, live_server, "dt@demo.test", "demo-pass-2026")
    browser.get(f"{live_server.url}/children/{child.pk}/")
    browser.find_element(By.LINK_TEXT, "Attendance, exclusions, SEN, attainment and school history").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Education record"
    assert "Review overdue" in browser.page_source
    pages.check("education record")
    full_page(browser, "record")

    browser.find_element(By.LINK_TEXT, "Add attendance for a term").click()
    pages.check("add attendance")
    before = Attendance.objects.filter(child=child).count()
    browser.find_element(By.NAME, "academic_year").send_keys("2019/20")
    browser.find_element(By.CSS_SELECTOR, "input[name=term][value=spring]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=half_term][value='0']").click()
    browser.find_element(By.CSS_SELECTOR, "select[name=school] option:nth-child(2)").click()
    for name, value in (("sessions_possible", "120"), ("sessions_present", "100"),
                        ("sessions_authorised_absence", "5"), ("sessions_unauthorised_absence", "5")):
        browser.find_element(By.NAME, name).clear()
        browser.find_element(By.NAME, name).send_keys(value)
    submit_and_wait(browser)
    summary = browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    assert "must add up to the possible sessions (120)" in summary.text
    assert Attendance.objects.filter(child=child).count() == before
    pages.check("attendance with errors", raw=False)
    field = browser.find_element(By.NAME, "sessions_unauthorised_absence")
    field.clear()
    field.send_keys("15")
    submit_and_wait(browser)
    assert "has been saved" in browser.page_source and "83.3%" in browser.page_source
    pages.check("attendance saved")

    browser.find_element(By.LINK_TEXT, "See the chronology").click()
    assert "Entered care" in browser.page_source and "Part-time timetable" in browser.page_source
    pages.check("chronology")
    full_page(browser, "chronology")

    pep = Pep.objects.filter(child__placements__school__name="Oakfield Academy", status=Pep.Status.DRAFT,
                             previous__isnull=False).first()
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    assert "Since the last PEP" in browser.page_source and "Provisional rating" in browser.page_source
    pages.check("PEP with change since the last one")
    full_page(browser, "pep")
    browser.get(f"{live_server.url}/peps/{pep.pk}/sections/B/edit/")
    pages.check("section B from the record")
    full_page(browser, "section-b")
    sign_out(browser)


def test_a_carer_sees_attendance_and_attainment_but_not_professional_fields(browser, pages, live_server, demo):
    sign_in(browser, live_server, "carer@demo.test", "demo-pass-2026")
    child = Child.objects.filter(team__user__email="carer@demo.test").order_by("la_reference").first()
    browser.get(f"{live_server.url}/children/{child.pk}/education/")
    page = browser.page_source
    assert "Attendance" in page and "Professionals only" not in page and "data-professional" not in page
    assert "Add attendance" not in page
    pages.check("carer's view of the education record")
    full_page(browser, "carer")
