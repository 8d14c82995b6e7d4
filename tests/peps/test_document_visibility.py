"""Supporting documents: who can see each one, and changing, replacing or removing it (issue 14, point 1)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from peps.models import SupportingDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _upload(client, pep, name="report.pdf", content=PDF, visibility=None):
    data = {"file": SimpleUploadedFile(name, content), "description": "Termly report"}
    if visibility is not None:
        data["visibility"] = visibility
    return client.post(reverse("pep_document_upload", args=[pep.pk]), data)


@pytest.fixture
def staff_only(client, pep, designated_teacher, media):
    client.force_login(designated_teacher)
    assert _upload(client, pep, "staff-notes.pdf", visibility="professionals").status_code == 302
    client.logout()
    return SupportingDocument.objects.get(original_name="staff-notes.pdf")


@pytest.fixture
def shared(client, pep, designated_teacher, media):
    client.force_login(designated_teacher)
    assert _upload(client, pep, "reading-list.pdf", visibility="team").status_code == 302
    client.logout()
    return SupportingDocument.objects.get(original_name="reading-list.pdf")


def test_a_document_is_for_professionals_unless_shared(client, pep, designated_teacher, media):
    client.force_login(designated_teacher)
    page = client.get(reverse("pep_document_upload", args=[pep.pk])).text
    assert "Who can see this?" in page
    assert 'value="professionals"' in page and "checked" in page.split('value="professionals"')[1][:40]
    assert _upload(client, pep).status_code == 302
    assert SupportingDocument.objects.get().visibility == SupportingDocument.Visibility.PROFESSIONALS


@pytest.mark.parametrize("persona", ["carer", "young_person"])
def test_the_family_never_sees_a_professional_only_document(client, request, pep, staff_only, shared, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("pep_detail", args=[pep.pk])).text
    assert "staff-notes.pdf" not in page
    assert "reading-list.pdf" in page
    assert client.get(reverse("pep_document_download", args=[pep.pk, staff_only.pk])).status_code == 404
    assert client.get(reverse("pep_document_download", args=[pep.pk, shared.pk])).status_code == 200
    assert client.get(reverse("pep_document_change", args=[pep.pk, staff_only.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["social_worker", "vs_officer", "designated_teacher"])
def test_professionals_see_every_document_and_who_can_see_it(client, request, pep, staff_only, shared, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("pep_detail", args=[pep.pk])).text
    assert "staff-notes.pdf" in page and "reading-list.pdf" in page
    assert "Professionals only" in page and "Whole team" in page


def test_the_uploader_shares_a_document_with_the_team(client, pep, designated_teacher, carer, staff_only):
    client.force_login(designated_teacher)
    before = AuditEvent.objects.count()
    response = client.post(reverse("pep_document_change", args=[pep.pk, staff_only.pk]), {"visibility": "team"})
    assert response.status_code == 302
    staff_only.refresh_from_db()
    assert staff_only.visibility == "team"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.verb == AuditEvent.Verb.UPDATED and event.changes["visibility"] == ["professionals", "team"]
    client.force_login(carer)
    assert client.get(reverse("pep_document_download", args=[pep.pk, staff_only.pk])).status_code == 200


def test_someone_who_did_not_add_it_cannot_change_it(client, pep, social_worker, staff_only):
    client.force_login(social_worker)
    url = reverse("pep_document_change", args=[pep.pk, staff_only.pk])
    assert client.post(url, {"visibility": "team"}).status_code == 403
    staff_only.refresh_from_db()
    assert staff_only.visibility == "professionals"


def test_the_virtual_school_replaces_the_file_and_the_old_bytes_leave_storage(
        client, pep, vs_officer, staff_only, media, django_capture_on_commit_callbacks):
    client.force_login(vs_officer)
    old = media / "pep-documents" / staff_only.stored_name
    assert old.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pep_document_change", args=[pep.pk, staff_only.pk]),
                               {"visibility": "professionals", "file": SimpleUploadedFile("new-plan.png", PNG)})
    assert response.status_code == 302
    staff_only.refresh_from_db()
    assert staff_only.original_name == "new-plan.png" and staff_only.content_type == "image/png"
    assert not old.exists()
    assert (media / "pep-documents" / staff_only.stored_name).read_bytes() == PNG
    event = AuditEvent.objects.latest("id")
    assert event.changes["original_name"] == ["staff-notes.pdf", "new-plan.png"]


def test_a_bad_replacement_is_refused_with_a_message_and_nothing_changes(client, pep, vs_officer, staff_only,
                                                                          media):
    client.force_login(vs_officer)
    response = client.post(reverse("pep_document_change", args=[pep.pk, staff_only.pk]),
                           {"visibility": "team", "file": SimpleUploadedFile("evil.pdf", b"<html>")})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and "not a real PDF" in response.text
    staff_only.refresh_from_db()
    assert staff_only.visibility == "professionals" and staff_only.original_name == "staff-notes.pdf"
    assert len(list((media / "pep-documents").iterdir())) == 1


def test_removing_a_document_deletes_the_file_and_the_audit_keeps_its_name(
        client, pep, designated_teacher, staff_only, media, django_capture_on_commit_callbacks):
    client.force_login(designated_teacher)
    stored = media / "pep-documents" / staff_only.stored_name
    confirm = client.get(reverse("pep_document_remove", args=[pep.pk, staff_only.pk]))
    assert "Are you sure you want to remove" in confirm.text
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pep_document_remove", args=[pep.pk, staff_only.pk]))
    assert response.status_code == 302
    assert not SupportingDocument.objects.filter(pk=staff_only.pk).exists()
    assert not stored.exists()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.verb == AuditEvent.Verb.DELETED and event.actor == designated_teacher
    assert event.changes["original_name"] == ["staff-notes.pdf", None]
    assert client.get(reverse("pep_document_download", args=[pep.pk, staff_only.pk])).status_code == 404


def test_a_carer_cannot_remove_a_shared_document(client, pep, carer, shared):
    client.force_login(carer)
    assert client.post(reverse("pep_document_remove", args=[pep.pk, shared.pk])).status_code == 403
    assert SupportingDocument.objects.filter(pk=shared.pk).exists()


def test_the_family_pdf_lists_only_shared_documents(pep, staff_only, shared):
    from quality.pdf import pep_pdf_html

    family = pep_pdf_html(pep, show_pp_plus=False, professional=False)
    assert "reading-list.pdf" in family and "staff-notes.pdf" not in family
    assert "staff-notes.pdf" in pep_pdf_html(pep, show_pp_plus=False, professional=True)
