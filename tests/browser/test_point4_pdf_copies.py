"""Issue 14, point 4 in Chromium: the carer's PDF is a family document and the professionals'
keeps everything, for an approved PEP's stored copies too. The Virtual School and the carer
each open the approved PEP (axe, the Nu checker, a screenshot) and download its PDF with
their own session; the first page of each PDF is saved to test-artefacts/ as PNG."""

from __future__ import annotations

import io
import subprocess
import urllib.request

import pypdf
import pytest
from selenium.webdriver.common.by import By

from accounts.models import User
from peps.models import Pep, ProfessionalPdf
from quality import services as quality_services
from tests.browser.conftest import ARTEFACTS, sign_in, sign_out
from tests.browser.test_quality import PASSWORD, submitted  # noqa: F401 - the fixture
from tests.quality.test_qa import ratings_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(browser, name: str) -> str:
    link = browser.find_element(By.LINK_TEXT, "Download this PEP as a PDF").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookies})) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "application/pdf"
        body = response.read()
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"point-4-browser-{name}.pdf"
    path.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(ARTEFACTS / path.stem)],
                   check=True)
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_point4_the_virtual_school_gets_the_professionals_copy_and_the_carer_the_familys(
        browser, pages, live_server, submitted):  # noqa: F811
    pep = submitted
    vs = User.objects.get(email="vs@demo.test")
    quality_services.qa_review_record(actor=vs, pep=pep, ratings=ratings_for(pep.child.local_authority),
                                      decision="approved", comment="Approved: a clear, well-evidenced plan")
    quality_services.approved_pdf_store(pep_id=pep.pk)
    pep.refresh_from_db()
    assert pep.status == Pep.Status.APPROVED and pep.approved_pdf

    sign_in(browser, live_server, "vs@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    pages.check("4 approved PEP for the Virtual School")
    professional = _download(browser, "virtual-school")
    assert "Quality assurance" in professional and "Approved: a clear, well-evidenced plan" in professional
    assert "Legal status" in professional
    sign_out(browser)

    sign_in(browser, live_server, "carer@demo.test", PASSWORD)
    browser.get(f"{live_server.url}/peps/{pep.pk}/")
    assert "Quality assurance" not in browser.page_source
    pages.check("4 approved PEP for the carer")
    family = _download(browser, "carer")
    assert "What we agreed" in family
    for word in ("Quality assurance", "well-evidenced", "Legal status", "UPN"):
        assert word not in family, word
    assert ProfessionalPdf.objects.filter(pep=pep, superseded=None).count() == 2
