"""The Virtual School's ZIP of a term's approved PEPs, built by Celery with a progress page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from peps.models import Pep
from quality.models import ExportJob
from tests.quality.factories import PepFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def approved(child, **fields):
    pep = PepFactory(child=child, status=Pep.Status.APPROVED, approved_at=timezone.now(), academic_year="2025/26",
                     term="summer", **fields)
    SectionFactory(pep=pep, data={"school_name": "A school"})
    return pep


def test_the_vs_exports_a_terms_approved_peps_as_one_zip(world, vs_officer, client, media,
                                                          django_capture_on_commit_callbacks):
    approved(world.child)
    approved(world.other_child)
    PepFactory(child=world.child, status=Pep.Status.DRAFT, academic_year="2025/26", term="summer")
    client.force_login(vs_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quality_exports"), {"term": "2025-summer"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("quality_export", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress == job.total == 2
    page = client.get(reverse("quality_export", args=[job.pk]))
    assert b"Your export is ready" in page.content and b"data-progress-poll" not in page.content
    download = client.get(reverse("quality_export_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment;") and download["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = archive.namelist()
        assert len(names) == 2 and all(n.endswith("-2025-26-summer.pdf") for n in names)
        assert all(archive.read(n).startswith(b"%PDF-") for n in names)
    # The stored copies were made on the way and are the ones in the ZIP.
    assert Pep.objects.filter(status=Pep.Status.APPROVED).exclude(approved_pdf="").count() == 2
    verbs = list(AuditEvent.objects.filter(object_type="quality.exportjob").values_list("verb", flat=True))
    assert sorted(verbs) == ["created", "downloaded", "exported"]


def test_the_progress_page_polls_while_the_export_runs(world, vs_officer, client):
    job = ExportJob.objects.create(la=world.la, requested_by=vs_officer, academic_year="2025/26", term="summer",
                                   status=ExportJob.Status.RUNNING, total=4, progress=1)
    client.force_login(vs_officer)
    page = client.get(reverse("quality_export", args=[job.pk]))
    assert "Refresh" not in page and b'data-progress-poll="3"' in page.content
    assert b"1 of 4 PEPs (25%)" in page.content
    assert client.get(reverse("quality_export_download", args=[job.pk])).status_code == 404


def test_a_designated_teacher_cannot_export(world, designated_teacher, client):
    client.force_login(designated_teacher)
    assert client.post(reverse("quality_exports"), {"term": "2025-summer"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_an_unknown_term_re_renders_with_an_error(world, vs_officer, client):
    client.force_login(vs_officer)
    response = client.post(reverse("quality_exports"), {"term": "1999-autumn"})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert not ExportJob.objects.exists()
