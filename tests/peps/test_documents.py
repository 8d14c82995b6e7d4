"""Supporting documents: allow-listed by content, 10 MB, random names, permission-checked download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from core.refusals import Refused
from peps.models import Pep, SupportingDocument
from peps.services.documents import document_upload
from tests.peps.factories import set_status

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


DOCX = _zip(["[Content_Types].xml", "word/document.xml"])
XLSX = _zip(["[Content_Types].xml", "xl/workbook.xml"])


def _upload(client, pep, name, content, content_type="application/octet-stream"):
    return client.post(reverse("pep_document_upload", args=[pep.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type),
                        "description": "Termly report"})


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("report.pdf", PDF, "application/pdf"), ("photo.png", PNG, "image/png"), ("scan.jpg", JPEG, "image/jpeg"),
    ("plan.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("map.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_allowed_files_are_stored_under_a_random_name(client, pep, designated_teacher, media, name, content, kind):
    client.force_login(designated_teacher)
    response = _upload(client, pep, name, content)
    assert response.status_code == 302
    document = SupportingDocument.objects.get()
    assert document.content_type == kind and document.original_name == name and document.size == len(content)
    assert name.rsplit(".", 1)[0] not in document.stored_name and len(document.stored_name) == 40
    stored = media / "pep-documents" / document.stored_name
    assert stored.read_bytes() == content


@pytest.mark.parametrize(("name", "content", "message"), [
    ("letter.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
     "The selected file is called .pdf but it is not a real PDF"),
    ("archive.zip", _zip(["readme.txt", "evil.exe"]), "The selected file must be a PDF, Word document (DOCX)"),
    ("renamed.docx", _zip(["readme.txt"]), "The selected file is called .docx but it is not a real Word document"),
    ("macro.docx", _zip(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"]),
     "is not a real Word document"),
    ("notes.txt", b"hello", "The selected file must be a PDF, Word document (DOCX)"),
    ("photo.pdf", PNG, "does not match its contents"),
])
def test_disguised_and_unlisted_files_are_refused_with_a_clear_message(client, pep, designated_teacher, media,
                                                                       name, content, message):
    client.force_login(designated_teacher)
    response = _upload(client, pep, name, content)
    assert response.status_code == 200
    assert message in response.text
    assert "govuk-error-summary" in response.text
    assert not SupportingDocument.objects.exists()
    assert not (media / "pep-documents").exists() or not any((media / "pep-documents").iterdir())


def _bomb(unpacked_mib: int) -> bytes:
    """A Word document whose one part is `unpacked_mib` MiB of zeros (deflated to ~1/1000)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<xml/>")
        archive.writestr("word/document.xml", "<xml/>")
        zeros = b"\0" * (1024 * 1024)
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            for _ in range(unpacked_mib):
                part.write(zeros)
    return buffer.getvalue()


@pytest.mark.parametrize(("description", "content"), [
    # Built when the test runs (not at collection): a callable each.
    ("120 MiB of zeros in one part", lambda: _bomb(120)),
    ("more parts than any real document", lambda: _zip(["[Content_Types].xml", "word/document.xml"]
                                                       + [f"word/part{n}.xml" for n in range(3000)])),
    ("a ratio no real document has", lambda: _bomb(30)),
])
def test_a_zip_bomb_disguised_as_a_word_document_is_refused(client, pep, designated_teacher, media,
                                                            description, content):
    content = content()
    assert len(content) < 2 * 1024 * 1024
    client.force_login(designated_teacher)
    response = _upload(client, pep, "report.docx", content)
    assert response.status_code == 200, description
    assert "The selected file is too large once unpacked" in response.text
    assert "govuk-error-summary" in response.text
    assert not SupportingDocument.objects.exists()
    with pytest.raises(Refused):
        document_upload(actor=designated_teacher, pep=pep, upload=SimpleUploadedFile("report.docx", content))


def test_an_oversized_file_is_refused(client, pep, designated_teacher, media):
    client.force_login(designated_teacher)
    response = _upload(client, pep, "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 200
    assert "The selected file must be smaller than 10 MB" in response.text
    assert not SupportingDocument.objects.exists()


def test_a_file_of_exactly_10_mb_is_accepted(pep, designated_teacher, media):
    content = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    document = document_upload(actor=designated_teacher, pep=pep, upload=SimpleUploadedFile("ok.pdf", content))
    assert document.size == 10 * 1024 * 1024


def test_upload_writes_one_audit_event(pep, social_worker, media):
    before = AuditEvent.objects.count()
    document_upload(actor=social_worker, pep=pep, upload=SimpleUploadedFile("r.pdf", PDF))
    assert AuditEvent.objects.count() == before + 1


def test_a_carer_cannot_upload(client, pep, carer, media):
    client.force_login(carer)
    assert _upload(client, pep, "report.pdf", PDF).status_code == 403
    assert not SupportingDocument.objects.exists()


def test_nobody_uploads_to_an_approved_pep(client, pep, designated_teacher, media):
    set_status(pep, Pep.Status.APPROVED)
    client.force_login(designated_teacher)
    assert _upload(client, pep, "report.pdf", PDF).status_code == 403


def test_download_is_an_audited_attachment_with_safe_headers(client, pep, designated_teacher, carer, media):
    document = document_upload(actor=designated_teacher, pep=pep,
                                        upload=SimpleUploadedFile('Ruby’s "report" <1>.pdf', PDF), description="Report",
                                        visibility=SupportingDocument.Visibility.TEAM)
    client.force_login(carer)
    before = AuditEvent.objects.count()
    response = client.get(reverse("pep_document_download", args=[pep.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Ruby-s--report---1.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().verb == AuditEvent.Verb.DOWNLOADED


def test_people_outside_the_team_cannot_download(client, world, pep, designated_teacher, media):
    document = document_upload(actor=designated_teacher, pep=pep, upload=SimpleUploadedFile("r.pdf", PDF))
    client.force_login(world.people["outsider_carer"])
    assert client.get(reverse("pep_document_download", args=[pep.pk, document.pk])).status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.DOWNLOADED).exists()


def test_media_is_not_served_as_a_url(client, pep, designated_teacher, media):
    document = document_upload(actor=designated_teacher, pep=pep, upload=SimpleUploadedFile("r.pdf", PDF))
    client.force_login(designated_teacher)
    for url in (f"/media/pep-documents/{document.stored_name}", f"/pep-documents/{document.stored_name}"):
        assert client.get(url).status_code == 404


def test_documents_are_listed_on_the_pep(client, pep, designated_teacher, media):
    document_upload(actor=designated_teacher, pep=pep, upload=SimpleUploadedFile("provision-map.pdf", PDF),
                    description="Provision map")
    client.force_login(designated_teacher)
    page = client.get(reverse("pep_detail", args=[pep.pk])).text
    assert "provision-map.pdf" in page and "Provision map" in page
