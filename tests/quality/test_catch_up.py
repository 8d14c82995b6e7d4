"""Work queued after commit survives a broker that is down: send_task_quietly never fails
the request, and the quality-catch-up sweep renders the PDFs and builds the exports later."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from core.queue import send_task_quietly
from epep.celery import app
from peps.models import Pep
from quality import services
from quality.models import ExportJob
from quality.tasks import render_approved_pdf
from tests.quality.factories import PepFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def broker_down(monkeypatch):
    """A real broker connection to a port where nothing listens."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(app.conf, "broker_write_url", None)


def test_with_the_broker_down_a_task_is_not_sent_quickly_and_nothing_raises(broker_down, caplog):
    start = time.monotonic()
    assert send_task_quietly(render_approved_pdf, 1) is False
    assert time.monotonic() - start < 3
    assert any(getattr(r, "event", "") == "broker_down" for r in caplog.records)


def test_the_sweep_renders_missing_pdfs_and_builds_queued_exports_once(world, vs_officer, media):
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    pep = PepFactory(child=world.child, status=Pep.Status.APPROVED, approved_at=long_ago,
                     academic_year="2025/26", term="summer")
    SectionFactory(pep=pep, data={"school_name": "A school"})
    just_now = PepFactory(child=world.other_child, status=Pep.Status.APPROVED, approved_at=timezone.now())
    job = ExportJob.objects.create(requested_by=vs_officer, la=world.la, academic_year="2025/26", term="summer")
    ExportJob.objects.filter(pk=job.pk).update(created_at=long_ago)

    assert services.quality_catch_up() == (1, 1)
    pep.refresh_from_db()
    job.refresh_from_db()
    assert pep.approved_pdf and job.status == ExportJob.Status.DONE and job.file
    # A PEP approved a moment ago still has its own task on the way: left alone.
    just_now.refresh_from_db()
    assert not just_now.approved_pdf
    # Nothing left to do: a second sweep changes nothing.
    sha = pep.approved_pdf_sha256
    assert services.quality_catch_up() == (0, 0)
    pep.refresh_from_db()
    assert pep.approved_pdf_sha256 == sha


def test_the_sweep_is_in_the_beat_schedule_every_five_minutes():
    from epep.celery import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["quality-catch-up"]
    assert entry["task"] == "quality.catch_up"
    assert entry["schedule"].minute == set(range(0, 60, 5))
    assert "quality.catch_up" in app.tasks


def test_a_built_export_is_deleted_a_week_later_and_says_so(world, vs_officer, client, media,
                                                           django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage
    from django.urls import reverse

    from core.models import AuditEvent

    job = ExportJob.objects.create(requested_by=vs_officer, la=world.la, academic_year="2025/26", term="summer")
    job = services.export_job_build(job_id=job.pk)
    name = job.file.name
    assert default_storage.exists(name)
    assert services.export_files_expire(now=timezone.now() + dt.timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.export_files_expire(now=timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(object_type="quality.exportjob.files", verb="deleted").count() == 1
    client.force_login(vs_officer)
    page = client.get(reverse("quality_export", args=[job.pk]))
    assert b"deleted 7 days after it was built" in page.content
    assert client.get(reverse("quality_export_download", args=[job.pk])).status_code == 404
