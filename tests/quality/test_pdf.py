"""The PEP as a PDF: its text, the marking, escaping, downloads and the stored copy."""

from __future__ import annotations

import hashlib
import io

import pypdf
import pytest
from django.urls import reverse

from core import pdf as pdf_module
from core.models import AuditEvent
from peps.models import Pep
from quality import services
from quality.pdf import pep_pdf_bytes, pep_pdf_html
from tests.quality.factories import SectionFactory, submitted_pep

pytestmark = pytest.mark.django_db

PAYLOAD = '<img src="file:///etc/passwd"><script>alert(1)</script>'


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the PDF renderer asks for (the real fetcher still decides)."""
    urls: list[str] = []
    real = pdf_module.safe_url_fetcher

    def recording(url, headers=None):
        urls.append(url)
        return real(url, headers)

    monkeypatch.setattr(pdf_module, "safe_url_fetcher", recording)
    return urls


def test_the_pdf_has_the_childs_name_a_target_the_marking_and_page_numbers(world):
    pep = submitted_pep(world.child)
    text = pdf_text(pep_pdf_bytes(pep, show_pp_plus=True, professional=True))
    assert "Ruby Testchild" in text
    assert "Read one chapter book a week with her carer" in text
    assert text.count("OFFICIAL-SENSITIVE") >= 2 * 2  # top and bottom of every page
    assert "Page 1 of" in text
    assert "Generated on" in text
    assert "Autumn term 2026/27" in text
    assert "Submitted for quality assurance" in text
    assert "Reading tutor, 8 sessions" in text and "£240.00" in text  # PP+, for a reader who may see it


def test_pp_plus_is_left_out_for_a_reader_who_may_not_see_it(world):
    pep = submitted_pep(world.child)
    html = pep_pdf_html(pep, show_pp_plus=False, professional=False)
    assert "Read one chapter book a week" in html
    # The family's copy says what support is planned, in words, and no amounts (issue 14).
    assert "Reading tutor" in html and "£240" not in html and "£" not in html


def test_the_pdf_is_tagged_with_title_and_language(world):
    pep = submitted_pep(world.child)
    reader = pypdf.PdfReader(io.BytesIO(pep_pdf_bytes(pep, show_pp_plus=False, professional=True)))
    assert reader.metadata.title.startswith("Personal Education Plan – Ruby Testchild")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_a_payload_in_a_field_is_text_in_the_html_and_the_pdf_and_fetches_nothing(world, fetched, vs_officer,
                                                                                   client):
    pep = submitted_pep(world.child)
    SectionFactory(pep=pep, letter="C", title="My views", data={"going_well": PAYLOAD})
    html = pep_pdf_html(pep, show_pp_plus=False, professional=True)
    assert PAYLOAD not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    text = pdf_text(pep_pdf_bytes(pep, show_pp_plus=False, professional=True))
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text
    assert all(url.startswith(pdf_module.PDF_BASE_URL + "static/") for url in fetched), fetched
    # The QA page shows the same field as text too.
    client.force_login(vs_officer)
    page = client.get(reverse("qa_review", args=[pep.pk])).content.decode()
    assert PAYLOAD not in page and "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in page


def test_the_stored_copy_has_pp_plus_where_the_la_lets_families_see_it(world, media):
    world.la.pp_plus_visible_to_family = True
    world.la.save()
    pep = submitted_pep(world.child)
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)
    pep = services.approved_pdf_store(pep_id=pep.pk)
    text = pdf_text(pep.approved_pdf.read())
    assert "Reading tutor, 8 sessions" in text and "£240" in text


def test_professional_only_fields_are_left_out_for_the_family(world):
    pep = submitted_pep(world.child)
    assert "Asthma, uses an inhaler" in pep_pdf_html(pep, show_pp_plus=False, professional=True)
    assert "Asthma, uses an inhaler" not in pep_pdf_html(pep, show_pp_plus=False, professional=False)


def test_the_carer_downloads_the_pdf_as_an_attachment_and_it_is_audited(world, carer, client, media):
    pep = submitted_pep(world.child)
    world.child.la_reference = "RÜBY/01 \"x\""
    world.child.save()
    client.force_login(carer)
    response = client.get(reverse("pep_pdf", args=[pep.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"PEP-R-BY-01-x-2026-27-autumn.pdf\"")
    assert disposition.isascii()
    assert "Ruby Testchild" in pdf_text(response.content)
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.DOWNLOADED)
    assert event.actor == carer and event.child_id == world.child.pk


def test_someone_outside_the_team_cannot_download(world, client):
    pep = submitted_pep(world.child)
    client.force_login(world.people["outsider_carer"])
    assert client.get(reverse("pep_pdf", args=[pep.pk])).status_code == 404


def test_an_approved_peps_stored_pdf_is_byte_identical_on_two_downloads(world, vs_officer, carer, client, media,
                                                                          django_capture_on_commit_callbacks):
    from tests.quality.test_qa import ratings_for

    pep = submitted_pep(world.child)
    with django_capture_on_commit_callbacks(execute=True):
        services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la), decision="approved")
    pep.refresh_from_db()
    assert pep.status == Pep.Status.APPROVED and pep.approved_pdf
    client.force_login(carer)
    first = client.get(reverse("pep_pdf", args=[pep.pk])).content
    second = client.get(reverse("pep_pdf", args=[pep.pk])).content
    assert first == second
    assert hashlib.sha256(first).hexdigest() == pep.approved_pdf_sha256
    # The Virtual School gets the professionals' stored copy (tests/quality/test_professional_copies.py).
    client.force_login(vs_officer)
    assert client.get(reverse("pep_pdf", args=[pep.pk])).content != first
    # Rendering again (the task running twice) changes nothing.
    services.approved_pdf_store(pep_id=pep.pk)
    pep.refresh_from_db()
    assert hashlib.sha256(pep.approved_pdf.read()).hexdigest() == hashlib.sha256(first).hexdigest()
    # The stored copy is the family's: no professional-only fields, and no PP+ amounts
    # unless the LA lets families see them (Testshire does not).
    assert "Asthma" not in pdf_text(first)
    assert "Reading tutor" in pdf_text(first) and "£240" not in pdf_text(first)  # in words, no amount
    assert "Quality assurance" not in pdf_text(first)
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.DOWNLOADED, object_id=str(pep.pk)).count() == 3


def test_the_pdf_has_the_meeting_record_and_the_documents(world, designated_teacher):
    import datetime as dt

    from django.utils import timezone

    from meetings.models import Invitee, Meeting
    from peps.models import SupportingDocument

    pep = submitted_pep(world.child)
    meeting = Meeting.objects.create(pep=pep, starts_at=timezone.now() - dt.timedelta(days=3), format="in_school",
                                     chair=designated_teacher, status="held", held_on=pep.meeting_held_on,
                                     going_well="Ruby joined the chess club", next_meeting_on=dt.date(2027, 2, 1))
    Invitee.objects.create(meeting=meeting, name="Pat Carer", role="Carer", attendance="attended")
    SupportingDocument.objects.create(pep=pep, original_name="provision-map.pdf", stored_name="x1",
                                      content_type="application/pdf", size=10, sha256="0" * 64,
                                      description="Provision map")
    text = pdf_text(pep_pdf_bytes(pep, show_pp_plus=False, professional=True))
    assert "Ruby joined the chess club" in text and "Pat Carer" in text and "1 February 2027" in text
    assert "provision-map.pdf" in text and "Provision map" in text
