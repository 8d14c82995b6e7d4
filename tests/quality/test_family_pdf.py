"""The carer's PDF is a family document; the professionals' keeps everything (issue 14, point 4).

Rendered from the demo's PEPs (the data a first use saw). The pages are written to
test-artefacts/ as PNG (pdftoppm) to be looked at.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command

from peps.models import Pep
from quality.models import QaReview
from quality.pdf import pep_pdf_bytes

pytestmark = pytest.mark.django_db

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _snapshot(data: bytes, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    pdf = ARTEFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(ARTEFACTS / name)], check=True)


@pytest.fixture
def demo_pep():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    # The demo PEP with the most in it: a QA review, targets, PP+ and reviewed previous targets.
    pep = (Pep.objects.filter(qa_reviews__isnull=False, targets__isnull=False, pp_plus_requests__isnull=False)
           .exclude(status=Pep.Status.DRAFT).distinct().order_by("-previous_id", "pk").first())
    assert pep is not None
    return pep


def test_the_family_pdf_says_what_was_agreed_first_and_nothing_professional(demo_pep):
    data = pep_pdf_bytes(demo_pep, show_pp_plus=False, professional=False)
    _snapshot(data, "point-4-family-pdf")
    pages = _pages(data)
    first = pages[0]
    assert "What we agreed" in first and "Extra support from Pupil Premium Plus" in first
    assert "next PEP meeting" in first
    target = demo_pep.targets.order_by("created_at", "pk").first()
    assert target.what[:30] in first.replace("\n", " ")
    request = demo_pep.pp_plus_requests.first()
    assert request.what_it_buys[:20] in first.replace("\n", " ")
    whole = "\n".join(pages)
    assert "£" not in whole  # the demo LA does not let families see amounts
    assert "Not recorded" not in whole
    assert not re.search(r"\b(Achieved|Partly achieved|Not achieved|Carried forward): \1", whole, re.I)
    for professional in ("Quality assurance", "Legal status", "UPN", "Health summary", "SDQ"):
        assert professional not in whole, professional
    # Still tagged PDF/UA, with the protective marking on every page.
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert "/StructTreeRoot" in reader.trailer["/Root"] and reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)


def test_the_professionals_pdf_keeps_everything(demo_pep):
    data = pep_pdf_bytes(demo_pep, show_pp_plus=True, professional=True)
    _snapshot(data, "point-4-professional-pdf")
    whole = "\n".join(_pages(data))
    assert "Quality assurance" in whole and "Quality assurance ratings" in whole
    review = QaReview.objects.filter(pep=demo_pep).first()
    assert review.get_overall_display().lower() in whole.lower()
    assert "£" in whole
