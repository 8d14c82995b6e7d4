"""Quality assurance end to end: a red rating returns the PEP with its reasons, the fixed PEP
is approved, and the carer downloads the PDF. Every page passes axe and the HTML checker."""

from __future__ import annotations

import datetime as dt
import urllib.request

import pytest
from django.core.management import call_command
from django.utils import timezone
from selenium.webdriver.common.by import By

from accounts.models import User
from children.models import Child
from peps import demo as pep_demo
from peps.models import Pep
from peps.services.workflow import pep_start, pep_submit
from quality.models import QaCriterion
from quality.selectors import approved_without_pdf
from targets import services as target_services
from tests.browser.conftest import sign_in, sign_out, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-2026"


@pytest.fixture
def submitted(transactional_db, settings, tmp_path):
    """The demo, and a complete PEP of the carer's child, submitted to the Virtual School."""
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    people = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    child = Child.objects.get(la_reference="DEMO0008")  # carer@demo.test cares for this child
    pep = Pep.objects.filter(child=child, status__in=Pep.OPEN_STATUSES).first()
    if pep is None:
        pep = pep_start(actor=people["sw@demo.test"], child=child, kind=Pep.Kind.TERMLY)
    if pep.status == Pep.Status.SUBMITTED:
        return pep
    year_group = child.placements.get(ended_on__isnull=True).year_group
    incomplete = "".join(s.letter for s in pep.sections.exclude(state="complete"))
    pep_demo._fill(pep, incomplete, list(people.values()), year_group)
    Pep.objects.filter(pk=pep.pk).update(meeting_held_on=timezone.localdate() - dt.timedelta(days=5))
    pep.refresh_from_db()
    # What the targets app asks before submission: the previous targets reviewed, and an
    # academic target (one whose PP+ plan the Virtual School will find wanting).
    for target in target_services.targets_to_review(pep):
        target_services.target_review(actor=None, pep=pep, target=target, outcome="achieved",
                                      comment="Met at the end of term")
    if not pep.targets.filter(area="english").exists():
        target_services.target_add(
            actor=None, pep=pep, area="english", what="Read one chapter book a week",
            success_criteria="Reading log shows 1 book a week for 8 weeks", strategy_what="Reading club",
            responsible="Dee Teacher", by_when=timezone.localdate() + dt.timedelta(days=60))
    return pep_submit(actor=people["dt@demo.test"], pep=pep)


def rate(browser, red: dict[str, str], decision: str) -> None:
    for criterion in QaCriterion.objects.filter(local_authority__code="DEMO", active=True):
        rating = "red" if criterion.code in red else "green"
        browser.find_element(By.CSS_SELECTOR, f"input[name=rating_{criterion.pk}][value={rating}]").click()
        if criterion.code in red:
            browser.find_element(By.NAME, f"comment_{criterion.pk}").send_keys(red[criterion.code])
    browser.find_element(By.CSS_SELECTOR, f"input[name=decision][value={decision}]").click()
    submit_and_wait(browser, "main form button[type=submit].govuk-button")


def test_a_red_rating_returns_the_pep_then_it_is_approved_and_the_carer_downloads_it(
        browser, pages, live_server, submitted):
    pep = submitted
    qa_url = f"{live_server.url}/quality/peps/{pep.pk}/review/"

    sign_in(browser, live_server, "vs@demo.test", PASSWORD)
    assert "Waiting for quality assurance" in browser.page_source
    # The demo's past approved PEPs have no stored PDF until quality-catch-up makes them.
    assert "Approved PEPs whose stored PDF has not been made" in browser.page_source
    pages.check("VS home with PEPs waiting")
    missing = approved_without_pdf().filter(child__local_authority__code="DEMO").first()
    browser.get(f"{live_server.url}/quality/peps/{missing.pk}/")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-stored-pdf-missing]")
    pages.check("approved PEP whose stored PDF is missing")
    browser.get(qa_url)
    pages.check("QA page")
    # Approving with a red rating is refused with the GOV.UK error summary.
    rate(browser, {"smart-targets": "Add a maths target"}, "approved")
    assert "A PEP with a red rating must be returned" in browser.page_source
    pages.check("QA page with errors", raw=False)
    rate(browser, {"smart-targets": "Add a maths target"}, "returned")
    assert "returned to the team" in browser.page_source
    pages.check("PEP returned", raw=False)
    sign_out(browser)

    # The designated teacher sees why, on the PEP and on its QA page.
    sign_in(browser, live_server, "dt@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    reason = browser.find_element(By.CSS_SELECTOR, "[data-returned-reason]").text
    assert "Red: Targets are SMART, with at least one academic target – Add a maths target" in reason
    pages.check("returned PEP for the DT")
    browser.get(f"{live_server.url}/quality/peps/{pep.pk}/")
    assert "Add a maths target" in browser.page_source
    pages.check("QA history for the DT")
    sign_out(browser)

    # The fix (editing targets and sections has its own browser tests in those apps): a
    # second academic target, as the Virtual School asked, and the PEP submitted again.
    dt_user = User.objects.get(email="dt@demo.test")
    pep.refresh_from_db()
    target_services.target_add(
        actor=dt_user, pep=pep, area="maths", what="Know the times tables to 12",
        success_criteria="Scores 90% or more on the termly tables test", strategy_what="Daily practice app",
        responsible="Dee Teacher", by_when=timezone.localdate() + dt.timedelta(days=60))
    pep_submit(actor=dt_user, pep=Pep.objects.get(pk=pep.pk))

    sign_in(browser, live_server, "vs@demo.test", PASSWORD)
    browser.get(qa_url)
    assert "Earlier quality assurance" in browser.page_source
    pages.check("QA page, second time")
    rate(browser, {}, "approved")
    # Approving is deliberate (issue 14): check your answers, then approve.
    assert "Check your answers before approving the PEP" in browser.page_source
    pages.check("check your answers before approving")
    submit_and_wait(browser, "main form button[name=confirm]")
    assert "approved" in browser.page_source
    pages.check("PEP approved", raw=False)
    pep.refresh_from_db()
    assert pep.status == Pep.Status.APPROVED and pep.approved_pdf  # rendered once, by the Celery task
    browser.get(f"{live_server.url}/quality/dashboard/")
    pages.check("VS dashboard")
    browser.find_element(By.PARTIAL_LINK_TEXT, "children: children needing a PEP").click()
    pages.check("children behind a figure")
    browser.get(f"{live_server.url}/quality/exports/")
    pages.check("exports")
    submit_and_wait(browser, "main form button[type=submit].govuk-button")
    assert "Export of approved PEPs" in browser.page_source
    pages.check("export progress")
    sign_out(browser)

    # The carer downloads the PDF from the PEP's page (QA pages are for professionals: 404).
    sign_in(browser, live_server, "carer@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    assert "Quality assurance" not in browser.page_source
    pages.check("approved PEP for the carer")
    link = browser.find_element(By.LINK_TEXT, "Download this PEP as a PDF").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookies})) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=\"PEP-DEMO0008-")
        assert response.headers["Cache-Control"] == "no-store"
        body = response.read()
    assert body.startswith(b"%PDF-") and body == pep.approved_pdf.open("rb").read()


def test_the_school_caseload_and_criteria_pages_pass_the_checks(browser, pages, live_server, submitted):
    sign_in(browser, live_server, "dt@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/quality/dashboard/")
    assert "School dashboard" in browser.page_source
    pages.check("school dashboard")
    sign_out(browser)
    sign_in(browser, live_server, "sw@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/quality/dashboard/?term={(submitted.academic_year[:4])}-{submitted.term}")
    assert "Caseload" in browser.page_source
    pages.check("caseload")
    sign_out(browser)
    sign_in(browser, live_server, "admin@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/quality/criteria/")
    pages.check("criteria")
    browser.find_element(By.LINK_TEXT, "Add a criterion").click()
    pages.check("add a criterion")
    submit_and_wait(browser, "main form button[type=submit].govuk-button")
    assert "Enter what the Virtual School checks" in browser.page_source
    pages.check("add a criterion with errors", raw=False)
