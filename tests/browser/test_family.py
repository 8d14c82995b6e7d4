"""What the child and the carer see (issue 14), in a real browser, each page checked by axe
and the Nu HTML checker, with screenshots in test-artefacts/.

Point 1: the designated teacher adds a professional-only and a shared document, shares,
replaces and removes; the carer and the young person (at 320 px) see only the shared one.
Point 2: the PEP has a QA review; the carer and the young person see none of it.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from peps.models import Pep, SupportingDocument
from quality.models import QaRating, QaReview
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.factories import PASSWORD
from tests.peps.factories import start_pep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _add(browser, pages, live_server, pep, path, description, visibility, label):
    browser.get(f"{live_server.url}/peps/{pep.pk}/documents/new/")
    browser.find_element(By.NAME, "file").send_keys(str(path))
    browser.find_element(By.NAME, "description").send_keys(description)
    browser.find_element(By.CSS_SELECTOR, f"input[name=visibility][value={visibility}]").click()
    if label:
        pages.check(label)
    submit_and_wait(browser)


def test_documents_and_qa_for_the_family(browser, pages, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    people = world.people
    pep = start_pep(world.child, Pep.Kind.TERMLY)
    review = QaReview.objects.create(pep=pep, reviewer=people["vs_officer"], overall="amber", decision="returned",
                                     comment="Reviewer: the targets need dates")
    QaRating.objects.create(review=review, criterion_text="Targets are SMART", rating="amber",
                            comment="Add a date to each target")
    staff = tmp_path / "staff-notes.pdf"
    staff.write_bytes(PDF)
    shared = tmp_path / "reading-list.pdf"
    shared.write_bytes(PDF)

    # The designated teacher adds one document for professionals and one for the whole team.
    sign_in(browser, live_server, people["designated_teacher"].email, PASSWORD)
    _add(browser, pages, live_server, pep, staff, "Notes from the team meeting", "professionals",
         "1 add a document, who can see this")
    _add(browser, pages, live_server, pep, shared, "Books to read at home", "team", "")
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    assert "Professionals only" in browser.page_source and "Whole team" in browser.page_source
    assert "Reviewer: the targets need dates" in browser.page_source
    pages.check("1 PEP page for the designated teacher with both documents and QA")
    document = SupportingDocument.objects.get(original_name="staff-notes.pdf")
    browser.get(f"{live_server.url}/peps/{pep.pk}/documents/{document.pk}/change/")
    pages.check("1 change a document")
    browser.find_element(By.LINK_TEXT, "Remove this document").click()
    pages.check("1 remove a document, are you sure")
    browser.back()
    sign_out(browser)

    # The carer sees the shared document only, and nothing of QA.
    sign_in(browser, live_server, people["carer"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    source = browser.page_source
    assert "reading-list.pdf" in source and "staff-notes.pdf" not in source
    for qa in ("Quality assurance", "Reviewer: the targets need dates", "Add a date to each target", "Amber"):
        assert qa not in source, qa
    assert "Download this PEP as a PDF" in source
    pages.check("1 and 2 PEP page for the carer, shared document only, no QA")
    browser.get(f"{live_server.url}/quality/peps/{pep.pk}/")
    assert "Page not found" in browser.page_source or "not found" in browser.title.lower()
    browser.get(f"{live_server.url}/children/{world.child.pk}/")
    assert "quality assurance" not in browser.page_source.lower() and "Legal status" not in browser.page_source
    pages.check("2 child page for the carer without QA or legal status")
    sign_out(browser)

    # The young person, on a 320 px screen, the same.
    browser.set_window_size(320, 800)
    sign_in(browser, live_server, people["young_person"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    source = browser.page_source
    assert "reading-list.pdf" in source and "staff-notes.pdf" not in source and "Quality assurance" not in source
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 320
    pages.check("1 and 2 PEP page for the young person at 320 px")
    sign_out(browser)
    browser.set_window_size(1280, 1000)

    # The designated teacher removes the professional-only document: it is gone for good.
    sign_in(browser, live_server, people["designated_teacher"].email, PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/documents/{document.pk}/remove/")
    submit_and_wait(browser)
    assert "has been removed from the PEP and deleted" in browser.page_source
    pages.check("1 PEP page after removing a document")
    assert not SupportingDocument.objects.filter(pk=document.pk).exists()
    assert not (tmp_path / "media" / "pep-documents" / document.stored_name).exists()
