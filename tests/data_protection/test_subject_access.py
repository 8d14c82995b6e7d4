"""The subject-access export: everything held on one child as a ZIP, built by Celery, audited."""

from __future__ import annotations

import io
import json
import logging
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader

from children.policies import Action, can
from core.models import AuditEvent
from data_protection import services as data_protection
from data_protection.models import SubjectAccessExport
from tests.data_protection.conftest import PDF, SECTION_TEXT, fill_record

pytestmark = pytest.mark.django_db


def _events(job):
    return list(AuditEvent.objects.filter(object_type="children.subjectaccessexport", object_id=str(job.pk))
                .order_by("id").values_list("verb", flat=True))


def test_the_zip_holds_the_record_a_pdf_of_every_pep_and_the_documents(
        world, vs_officer, media, django_capture_on_commit_callbacks):
    parts = fill_record(world.child, vs_officer)
    with django_capture_on_commit_callbacks(execute=True):
        job = data_protection.subject_access_request(actor=vs_officer, child=world.child, reason="SAR 2026-14")
    job.refresh_from_db()
    assert job.status == SubjectAccessExport.Status.DONE and job.progress == job.total == 1 + 2 + 1
    # The stored file's name says nothing about who the child is.
    assert "Ruby" not in job.file.name and "Testchild" not in job.file.name
    with job.file.open("rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
        names = sorted(archive.namelist())
        record = json.loads(archive.read("child.json"))
        pdfs = {n: archive.read(n) for n in names if n.startswith("peps/")}
        document = archive.read(f"documents/{parts['current'].pk}/Ruby-s-report.pdf")
    assert record["child"]["first_name"] == "Ruby" and record["child"]["last_name"] == "Testchild"
    assert record["child"]["destroy_after"] == "2087-03-14"
    pep_json = next(p for p in record["peps"] if p["id"] == parts["current"].pk)
    assert any(s["data"].get("dt_summary") == SECTION_TEXT for s in pep_json["sections"])
    assert pep_json["meetings"][0]["going_well"] == "The reading club helps"
    assert pep_json["meetings"][0]["invitees"] == [{"name": "Pat Carer", "role": "Carer", "attendance": "attended"}]
    assert pep_json["targets"][0]["what"] == "Read one chapter book a week with her carer"
    assert pep_json["pp_plus_requests"][0]["amount"] == "240.00"
    assert pep_json["documents"][0]["original_name"] == "Ruby's report ü.pdf"
    approved_json = next(p for p in record["peps"] if p["id"] == parts["approved"].pk)
    assert approved_json["qa_reviews"][0]["reviewer_name"] == vs_officer.full_name
    assert record["concern_requests"][0]["reason"] == "Two exclusions this term"
    assert {m["name"] for m in record["team"]["links"]} >= {"Social Worker", "Carer", "Young Person"}
    assert record["team"]["designated_teachers"][0]["name"] == "Designated Teacher"
    assert any(e["verb"] == "exported" for e in record["audit_history"])
    # One PDF per PEP, named by year, term and status, each the professional view with the child's name.
    assert sorted(pdfs) == ["peps/2025-26-summer-approved.pdf", "peps/2026-27-autumn-submitted.pdf"]
    for data in pdfs.values():
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "Ruby" in text
    assert document == PDF
    assert _events(job) == ["exported", "created"]


def test_the_download_is_an_attachment_not_cached_and_audited(world, vs_officer, client, media,
                                                              django_capture_on_commit_callbacks):
    client.force_login(vs_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subject_access_new", args=[world.child.pk]), {"reason": "SAR 2026-15"})
    job = SubjectAccessExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("subject_access_export", args=[job.pk])
    page = client.get(response["Location"])
    assert b"Your export is ready" in page.content and b"data-progress-poll" not in page.content
    download = client.get(reverse("subject_access_download", args=[job.pk]))
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and world.child.la_reference in disposition
    assert "Ruby" not in disposition and download["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert "child.json" in archive.namelist()
    assert _events(job) == ["exported", "created", "downloaded"]


def test_the_progress_page_polls_without_script_until_the_export_is_ready(world, vs_officer, client):
    job = SubjectAccessExport.objects.create(child=world.child, requested_by=vs_officer, reason="SAR",
                                             status=SubjectAccessExport.Status.RUNNING, total=4, progress=1)
    client.force_login(vs_officer)
    page = client.get(reverse("subject_access_export", args=[job.pk]))
    assert "Refresh" not in page and b'data-progress-poll="3"' in page.content and b"1 of 4 parts (25%)" in page.content
    assert b"<script" not in page.content.split(b"</main>")[0].split(b"<main")[1]
    assert client.get(reverse("subject_access_download", args=[job.pk])).status_code == 404


def test_the_request_is_a_security_event_with_ids_only(world, vs_officer, caplog):
    with caplog.at_level(logging.INFO, logger="epep.security"):
        job = data_protection.subject_access_request(actor=vs_officer, child=world.child, reason="SAR")
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "subject_access_requested"]
    assert (record.user_id, record.child_id, record.object_id) == (vs_officer.pk, world.child.pk, job.pk)
    assert "Ruby" not in record.getMessage()


@pytest.mark.parametrize("persona", ["social_worker", "designated_teacher", "carer", "admin_user", "other_la_vs"])
def test_only_the_virtual_school_of_the_childs_la_may_export(world, persona):
    user = world.people[persona]
    assert not can(user, world.child, Action.EXPORT_SUBJECT_ACCESS)
    with pytest.raises(PermissionDenied):
        data_protection.subject_access_request(actor=user, child=world.child, reason="SAR")
    assert not SubjectAccessExport.objects.exists() and not AuditEvent.objects.filter(verb="exported").exists()


def test_a_request_without_a_reason_shows_the_error_summary_and_queues_nothing(world, vs_officer, client):
    client.force_login(vs_officer)
    response = client.post(reverse("subject_access_new", args=[world.child.pk]), {"reason": "   "})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert b"Enter why the export is needed" in response.content
    assert not SubjectAccessExport.objects.exists()


def test_the_childs_page_links_the_export_for_the_virtual_school_only(world, vs_officer, social_worker, client):
    url = reverse("child_detail", args=[world.child.pk])
    export = reverse("subject_access_new", args=[world.child.pk]).encode()
    client.force_login(vs_officer)
    page = client.get(url)
    assert export in page.content and b"14 March 2087" in page.content
    client.force_login(social_worker)
    page = client.get(url)
    assert export not in page.content and b"14 March 2087" not in page.content


def test_a_task_run_again_on_a_finished_job_changes_nothing(world, vs_officer, media,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = data_protection.subject_access_request(actor=vs_officer, child=world.child, reason="SAR")
    job.refresh_from_db()
    again = data_protection.subject_access_build(job_id=job.pk)
    assert again.file.name == job.file.name and _events(job) == ["exported", "created"]


def test_an_export_whose_task_was_lost_is_built_by_the_catch_up_sweep(world, vs_officer, settings, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from data_protection import services as data_protection
    from data_protection.models import SubjectAccessExport

    settings.MEDIA_ROOT = tmp_path
    job = SubjectAccessExport.objects.create(child=world.child, requested_by=vs_officer, reason="A request")
    fresh = SubjectAccessExport.objects.create(child=world.child, requested_by=vs_officer, reason="Another")
    SubjectAccessExport.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert data_protection.subject_access_catch_up() == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == SubjectAccessExport.Status.DONE and job.file
    assert fresh.status == SubjectAccessExport.Status.QUEUED  # its own task may still be on the way
    assert data_protection.subject_access_catch_up() == 0


def test_a_subject_access_zip_is_deleted_a_week_after_it_was_built(world, vs_officer, settings, tmp_path,
                                                                   django_capture_on_commit_callbacks):
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from data_protection import services as data_protection
    from data_protection.models import SubjectAccessExport

    settings.MEDIA_ROOT = tmp_path
    job = SubjectAccessExport.objects.create(child=world.child, requested_by=vs_officer, reason="A request")
    job = data_protection.subject_access_build(job_id=job.pk)
    name = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert data_protection.subject_access_files_expire(now=timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == SubjectAccessExport.Status.EXPIRED and not job.file
    assert not default_storage.exists(name)


def test_the_record_costs_the_same_queries_for_one_pep_and_for_five(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from data_protection.services import child_record
    from peps.models import Pep
    from tests.quality.factories import submitted_pep

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            child_record(world.child)
        return len(ctx.captured_queries)

    def earlier_pep(year: int) -> None:
        # One open PEP per child: the earlier ones are approved, each in a term of its own.
        pep = submitted_pep(world.child, academic_year=f"{year}/{(year + 1) % 100:02d}")
        Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)

    earlier_pep(2019)
    one = queries()
    for year in range(2020, 2024):
        earlier_pep(year)
    assert queries() == one
