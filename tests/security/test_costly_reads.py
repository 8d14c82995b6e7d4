"""Costly reads and unbounded growth: a draft PEP's PDF is rendered once per version of
what it shows, PDF downloads are limited per person per minute, and one PEP holds a
bounded number of targets, PP+ requests, meeting invitees and supporting documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import pdf as pdf_module
from core.refusals import Refused
from peps.models import Pep, SupportingDocument
from targets.models import PpPlusRequest, Target
from tests.meetings.factories import make_pep

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def renders():
    """Counts WeasyPrint renders, wherever render_pdf is looked up from."""
    calls = []
    real = pdf_module.render_pdf

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    with mock.patch("core.pdf.render_pdf", counting), mock.patch("quality.pdf.render_pdf", counting):
        yield calls


def _target(pep, what="Read a book a week"):
    return Target.objects.create(pep=pep, child=pep.child, area="english", what=what,
                                 success_criteria="Reads 12 books by March", strategy_what="Library visits",
                                 responsible="Carer", by_when=timezone.localdate() + dt.timedelta(days=90))


def test_a_draft_peps_pdf_is_rendered_once_per_version_of_what_it_shows(world, client, renders):
    from targets import services as target_services

    pep = make_pep(world.child)
    target = _target(pep)
    client.force_login(world.people["designated_teacher"])
    url = reverse("pep_pdf", args=[pep.pk])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(renders) == 1, "the second download of an unchanged PEP was rendered again"
    assert first.content == second.content
    # Someone else with the same view gets the same bytes; every download is audited.
    client.force_login(world.people["social_worker"])
    assert client.get(url).content == first.content and len(renders) == 1
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.DOWNLOADED, object_id=str(pep.pk)).count() == 3

    # A change to what the PDF shows makes a new version: rendered again, never the old one.
    target_services.target_update(actor=world.people["designated_teacher"], target=target,
                                  what="Read two books a week")
    client.force_login(world.people["designated_teacher"])
    third = client.get(url)
    assert len(renders) == 2 and third.content != first.content
    # The family's view (no professional-only fields) is a version of its own.
    client.force_login(world.people["carer"])
    client.get(url)
    assert len(renders) == 3


def test_pdf_downloads_are_limited_per_person_per_minute(world, client, renders):
    from quality.services import PDF_DOWNLOADS_PER_MINUTE

    pep = make_pep(world.child)
    url = reverse("pep_pdf", args=[pep.pk])
    client.force_login(world.people["designated_teacher"])
    for _ in range(PDF_DOWNLOADS_PER_MINUTE):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "Too many downloads" in refused.text and "Wait a minute" in refused.text
    assert refused["Content-Type"].startswith("text/html")
    # Another person is not held back by the first one's downloads.
    client.force_login(world.people["social_worker"])
    assert client.get(url).status_code == 200


# --------------------------------------------------------------------------------------
# What one PEP holds
# --------------------------------------------------------------------------------------


def test_a_pep_holds_a_bounded_number_of_targets(world, client):
    from targets import services
    from targets.services import MAX_TARGETS_PER_PEP

    pep = make_pep(world.child)
    Target.objects.bulk_create([Target(pep=pep, child=pep.child, area="maths", what=f"Target {n}",
                                       success_criteria="Scores 45 out of 50", strategy_what="Practice",
                                       by_when=timezone.localdate() + dt.timedelta(days=90))
                                for n in range(MAX_TARGETS_PER_PEP)])
    with pytest.raises(Refused) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep, area="english",
                            what="One too many", success_criteria="Reads 12 books by March",
                            strategy_what="Library", by_when=timezone.localdate() + dt.timedelta(days=30))
    assert f"already has {MAX_TARGETS_PER_PEP} targets" in exc.value.message
    assert Target.objects.filter(pep=pep).count() == MAX_TARGETS_PER_PEP
    # The page says so too.
    client.force_login(world.people["designated_teacher"])
    by_when = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    response = client.post(reverse("target_add", kwargs={"pep_pk": pep.pk}), {
        "area": "english", "what": "One too many", "success_criteria": "Reads 12 books by March",
        "strategy_what": "Library", "responsible": "Carer", "by_when": by_when,
    }, follow=True)
    assert f"already has {MAX_TARGETS_PER_PEP} targets" in response.text
    assert Target.objects.filter(pep=pep).count() == MAX_TARGETS_PER_PEP


def test_a_pep_holds_a_bounded_number_of_pp_plus_requests(world):
    from targets import services
    from targets.services import MAX_PP_PLUS_REQUESTS_PER_PEP

    pep = make_pep(world.child)
    PpPlusRequest.objects.bulk_create([
        PpPlusRequest(pep=pep, child=pep.child, amount=Decimal("10"), what_it_buys="Books", category="resources",
                      financial_year="2026-27") for _ in range(MAX_PP_PLUS_REQUESTS_PER_PEP)])
    with pytest.raises(Refused) as exc:
        services.pp_plus_request(actor=world.people["designated_teacher"], pep=pep, amount="100",
                                 what_it_buys="Tuition", category="tuition")
    assert f"already has {MAX_PP_PLUS_REQUESTS_PER_PEP} Pupil Premium Plus requests" in exc.value.message
    assert PpPlusRequest.objects.filter(pep=pep).count() == MAX_PP_PLUS_REQUESTS_PER_PEP


def test_a_meeting_invites_a_bounded_number_of_people(world):
    from meetings import services
    from meetings.models import Invitee, Meeting
    from meetings.services import MAX_INVITEES

    pep = make_pep(world.child)
    others = [{"name": f"Guest {n}", "role": "Other professional"} for n in range(MAX_INVITEES)]
    with pytest.raises(Refused) as exc:
        services.meeting_schedule(actor=world.people["designated_teacher"], pep=pep,
                                  starts_at=timezone.now() + dt.timedelta(days=14), format="in_school",
                                  location="Room 4", chair=world.people["designated_teacher"], others=others)
    assert f"at most {MAX_INVITEES} people" in exc.value.message
    assert not Meeting.objects.exists() and not Invitee.objects.exists()


def test_a_pep_holds_a_bounded_number_of_documents(world, client, settings, tmp_path):
    from core.refusals import Refused
    from peps.services.documents import MAX_DOCUMENTS_PER_PEP, document_upload

    settings.MEDIA_ROOT = tmp_path / "private"
    pep = make_pep(world.child)
    SupportingDocument.objects.bulk_create([
        SupportingDocument(pep=pep, original_name=f"r{n}.pdf", stored_name=f"stored-{n}",
                           content_type="application/pdf", size=10, sha256="0" * 64)
        for n in range(MAX_DOCUMENTS_PER_PEP)])
    with pytest.raises(Refused) as exc:
        document_upload(actor=world.people["designated_teacher"], pep=pep,
                        upload=SimpleUploadedFile("one-more.pdf", PDF))
    assert f"already has {MAX_DOCUMENTS_PER_PEP} supporting documents" in exc.value.message
    client.force_login(world.people["designated_teacher"])
    response = client.post(reverse("pep_document_upload", args=[pep.pk]),
                           {"file": SimpleUploadedFile("one-more.pdf", PDF), "description": "Report"})
    assert response.status_code == 200 and "govuk-error-summary" in response.text
    assert f"already has {MAX_DOCUMENTS_PER_PEP} supporting documents" in response.text
    assert SupportingDocument.objects.filter(pep=pep).count() == MAX_DOCUMENTS_PER_PEP
    assert Pep.objects.filter(pk=pep.pk).exists()
