"""Approval is deliberate and can be undone (issue 14, point 6)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent
from peps.models import Pep, SupersededPdf
from peps.services.workflow import pep_reopen
from quality import services
from tests.quality.factories import submitted_pep
from tests.quality.test_qa import form_data, ratings_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_approving_shows_check_your_answers_and_commits_only_when_confirmed(world, vs_officer, client):
    pep = submitted_pep(world.child)
    client.force_login(vs_officer)
    data = form_data(world.la)
    data["comment"] = "A strong plan"
    page = client.post(reverse("qa_review", args=[pep.pk]), data)
    assert page.status_code == 200
    assert "Check your answers before approving the PEP" in page.text and "A strong plan" in page.text
    pep.refresh_from_db()
    assert pep.status == Pep.Status.SUBMITTED and not pep.qa_reviews.exists()
    # "Change your answers" gives the form back, filled in, and still commits nothing.
    again = client.post(reverse("qa_review", args=[pep.pk]), {**data, "edit": "yes"})
    assert "Rate each criterion" in again.text and "A strong plan" in again.text
    pep.refresh_from_db()
    assert pep.status == Pep.Status.SUBMITTED
    done = client.post(reverse("qa_review", args=[pep.pk]), {**data, "confirm": "approve"})
    assert done.status_code == 302
    pep.refresh_from_db()
    assert pep.status == Pep.Status.APPROVED and pep.qa_reviews.count() == 1


def test_returning_needs_no_check_page(world, vs_officer, client):
    pep = submitted_pep(world.child)
    client.force_login(vs_officer)
    response = client.post(reverse("qa_review", args=[pep.pk]), form_data(world.la, decision="returned"))
    assert response.status_code == 302
    pep.refresh_from_db()
    assert pep.status == Pep.Status.RETURNED


def _approved_with_pdf(world, vs_officer):
    pep = submitted_pep(world.child)
    services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la), decision="approved")
    return services.approved_pdf_store(pep_id=pep.pk)


def test_the_virtual_school_reopens_with_a_reason_and_the_pdf_is_kept_as_superseded(world, vs_officer, client,
                                                                                     media):
    pep = _approved_with_pdf(world, vs_officer)
    first_name, first_sha = pep.approved_pdf.name, pep.approved_pdf_sha256
    assert first_name
    client.force_login(vs_officer)
    refused = client.post(reverse("pep_reopen", args=[pep.pk]), {"reason": "  "})
    assert refused.status_code == 200 and "Enter why you are reopening the PEP" in refused.text
    before = AuditEvent.objects.count()
    response = client.post(reverse("pep_reopen", args=[pep.pk]), {"reason": "The school was recorded wrongly"})
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.changes["status"] == ["approved", "returned"]
    assert event.changes["returned_reason"][1] == "The school was recorded wrongly"
    pep.refresh_from_db()
    assert pep.status == Pep.Status.RETURNED and not pep.approved_pdf and pep.approved_at is None
    copy = SupersededPdf.objects.get(pep=pep)
    assert copy.file.name == first_name and copy.sha256 == first_sha and copy.reopened_by == vs_officer
    assert (media / first_name).exists()
    page = client.get(reverse("pep_detail", args=[pep.pk])).text
    assert "Earlier approved copies" in page
    download = client.get(reverse("pep_superseded_pdf", args=[pep.pk, copy.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    # Submitted and approved again: a new PDF is stored; the superseded one stays.
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.SUBMITTED)
    pep.refresh_from_db()
    services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la), decision="approved")
    pep = services.approved_pdf_store(pep_id=pep.pk)
    assert pep.approved_pdf and pep.approved_pdf.name != first_name
    assert SupersededPdf.objects.filter(pep=pep).count() == 1 and (media / first_name).exists()


def test_only_the_virtual_school_reopens_and_only_an_approved_pep(world, vs_officer, designated_teacher, client,
                                                                   media):
    pep = _approved_with_pdf(world, vs_officer)
    client.force_login(designated_teacher)
    assert client.post(reverse("pep_reopen", args=[pep.pk]), {"reason": "x"}).status_code == 403
    client.force_login(vs_officer)
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.SUBMITTED)
    assert client.post(reverse("pep_reopen", args=[pep.pk]), {"reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        pep_reopen(actor=designated_teacher, pep=pep, reason="x")


def test_the_family_never_gets_a_superseded_copy(world, vs_officer, carer, client, media):
    pep = _approved_with_pdf(world, vs_officer)
    pep_reopen(actor=vs_officer, pep=pep, reason="Wrong school")
    copy = SupersededPdf.objects.get(pep=pep)
    client.force_login(carer)
    assert client.get(reverse("pep_superseded_pdf", args=[pep.pk, copy.pk])).status_code == 404
    assert "Earlier approved copies" not in client.get(reverse("pep_detail", args=[pep.pk])).text
