"""The import pages in a real browser: each checked with axe-core and the Nu HTML checker."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By

from accounts.models import User
from children.models import Child
from core.roles import Role
from education.models import Attendance
from tests.browser.conftest import sign_in, submit_and_wait
from tests.imports.gias_files import gias_bytes, row
from tests.imports.test_term_dates import ICS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FILES = Path(__file__).resolve().parent.parent / "imports" / "files"
PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output


def _choose(browser, name: str, path: Path) -> None:
    browser.find_element(By.NAME, name).send_keys(str(path))


def test_the_virtual_school_imports_an_ssda903_return(browser, pages, live_server, demo):
    sign_in(browser, live_server, "vs@demo.test", PASSWORD)
    browser.find_element(By.LINK_TEXT, "Imports").click()
    pages.check("imports index")
    browser.find_element(By.LINK_TEXT, "Import the SSDA903 return").click()
    pages.check("SSDA903 upload")
    _choose(browser, "header", FILES / "903_header.csv")
    submit_and_wait(browser)
    assert "Select the episodes file" in browser.find_element(By.CLASS_NAME, "govuk-error-summary").text
    pages.check("SSDA903 upload with errors", raw=False)
    _choose(browser, "header", FILES / "903_header.csv")
    _choose(browser, "episodes", FILES / "903_episodes.csv")
    _choose(browser, "names", FILES / "903_names_cp1252.csv")
    submit_and_wait(browser)
    assert "Import finished" in browser.page_source
    pages.check("SSDA903 result")
    assert Child.objects.get(la_reference="102").first_name == "Zoë"


def test_an_admin_imports_term_dates_from_an_ics_file(browser, pages, live_server, demo, tmp_path):
    bad, ics = tmp_path / "terms.csv", tmp_path / "terms.ics"
    bad.write_text("academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"
                   "2030/31,autumn,31/09/2030,19/12/2030,27/10/2030,31/10/2030\n")
    ics.write_bytes(ICS)
    sign_in(browser, live_server, "admin@demo.test", PASSWORD)
    browser.get(live_server.url + "/imports/term-dates/")
    pages.check("term dates upload")
    _choose(browser, "file", bad)
    submit_and_wait(browser)
    assert "Nothing was imported" in browser.page_source
    pages.check("term dates with problems", raw=False)
    _choose(browser, "file", ics)
    submit_and_wait(browser)
    assert "INSET or closure days loaded" in browser.page_source
    pages.check("term dates loaded")


def test_a_designated_teacher_uploads_attendance(browser, pages, live_server, demo, tmp_path):
    teacher = User.objects.get(email="dt@demo.test")
    child = Child.objects.filter(placements__school=teacher.school, placements__ended_on__isnull=True) \
        .exclude(upn="").first()
    path = tmp_path / "attendance.csv"
    path.write_text("UPN,Surname,Forename,Sessions Possible,Sessions Present,Authorised Absences,"
                    f"Unauthorised Absences\n{child.upn},X,Y,120,110,6,4\nUN4,X,Z,1,1,0,0\n")
    sign_in(browser, live_server, "dt@demo.test", PASSWORD)
    browser.get(live_server.url + "/imports/attendance/")
    pages.check("attendance upload")
    browser.find_element(By.CSS_SELECTOR, "input[name=term][value=autumn]").click()
    _choose(browser, "file", path)
    submit_and_wait(browser)
    assert "1 pupil recorded" in browser.page_source and "UN4 is a 'UPN not known' code" in browser.page_source
    pages.check("attendance recorded", raw=False)
    # The demo child has three years of attendance in the education record already; the
    # upload is the autumn term's row at the teacher's school, with the uploaded figures.
    assert Attendance.objects.filter(child=child, school=teacher.school, term="autumn", sessions_possible=120,
                                     sessions_present=110, sessions_authorised_absence=6,
                                     sessions_unauthorised_absence=4).count() == 1


def test_a_platform_admin_imports_gias(browser, pages, live_server, demo, tmp_path):
    User.objects.create_superuser("platform@demo.test", PASSWORD, full_name="Platform Admin")
    path = tmp_path / "edubasealldata20261201.csv"
    path.write_bytes(gias_bytes([row("170001", "St Aidan’s Catholic Primary School"),
                                 row("170002", "Old Closed School", status="Closed")]))
    sign_in(browser, live_server, "platform@demo.test", PASSWORD)
    browser.get(live_server.url + "/imports/gias/")
    pages.check("GIAS upload")
    _choose(browser, "file", path)
    submit_and_wait(browser)
    assert "1 added" in browser.page_source
    pages.check("GIAS imported", raw=False)
    assert User.objects.filter(role=Role.LA_ADMIN).exists()
