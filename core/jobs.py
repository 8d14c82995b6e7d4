"""Files built in the background by Celery, with progress a page can show.

The Virtual School's term export (quality.ExportJob) and the subject-access export
(children.SubjectAccessExport) share this shape: queued → running → done (or failed), a
progress count the builder bumps as it goes, and the finished file in private storage,
downloaded only through a permission-checked view.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.http import FileResponse, Http404
from django.utils import timezone

# A built file is a copy of some of the most sensitive records a council holds: it is
# deleted this long after it was built (a new export can be asked for at any time).
KEEP_FILES_FOR = dt.timedelta(days=7)


# A job still queued after this long lost its task (or the broker was down when it was
# asked for): the app's catch-up sweep builds it.
CATCH_UP_AFTER = dt.timedelta(minutes=2)


class FileJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Deleted after 7 days"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)  # each subclass names its folder
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return round(100 * self.progress / self.total)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    # The builder's steps. Each is its own small write, outside any long transaction, so
    # that the progress page sees them while the file is being built.

    def mark_running(self, total: int) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(status=self.Status.RUNNING, total=total, progress=0)

    def step(self) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(progress=F("progress") + 1)

    def mark_failed(self) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(status=self.Status.FAILED,
                                                              error="The export could not be built",
                                                              finished_at=timezone.now())

    def store(self, name: str, data: bytes):
        """Keep the finished file and mark the job done; returns the job, locked.

        Call inside the transaction that also writes the audit event of the build.
        """
        assert transaction.get_connection().in_atomic_block, "store() belongs inside the build's transaction"
        job = type(self)._default_manager.select_for_update().get(pk=self.pk)
        job.file.save(name, ContentFile(data), save=False)
        job.status = self.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "finished_at"])
        return job

    def require_ready(self) -> None:
        if self.status != self.Status.DONE or not self.file:
            raise Http404("The export is not ready")


def queued_too_long(model: type[FileJob], *, now: dt.datetime | None = None, limit: int = 20) -> list[int]:
    """Ids of `model`'s jobs still waiting to start CATCH_UP_AFTER after they were asked for,
    oldest first: the ones the catch-up sweep builds."""
    cutoff = (now or timezone.now()) - CATCH_UP_AFTER
    return list(model._default_manager.filter(status=FileJob.Status.QUEUED, created_at__lt=cutoff)
                .order_by("created_at").values_list("pk", flat=True)[:limit])


def job_file_response(job: FileJob, filename: str) -> FileResponse:
    """The finished file as a download: attachment, a safe name, never cached."""
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=filename,
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


@transaction.atomic
def files_expire(model: type[FileJob], *, now: dt.datetime | None = None) -> int:
    """Delete the files of `model`'s jobs built more than KEEP_FILES_FOR ago; how many.

    The row stays (who asked, when, why) with the status "Deleted after 7 days" and the
    download answers 404 from then on. One audit event for the sweep; the files go after
    the commit.
    """
    from core.audit import Verb, audit_record

    cutoff = (now or timezone.now()) - KEEP_FILES_FOR
    jobs = model._default_manager.select_for_update(skip_locked=True).filter(
        status=FileJob.Status.DONE, finished_at__lt=cutoff).exclude(file="")
    names = list(jobs.values_list("file", flat=True))
    if names:
        model._default_manager.filter(file__in=names).update(status=FileJob.Status.EXPIRED, file="")
        audit_record(actor=None, verb=Verb.DELETED, object_type=f"{model._meta.label_lower}.files",
                     changes={"files": [len(names), 0]})
        transaction.on_commit(lambda: _delete_files(names))
    return len(names)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
