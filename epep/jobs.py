"""Files built in the background by Celery, with progress a page can show.

The Virtual School's term export (peps.quality.ExportJob) and the subject-access export
(children.SubjectAccessExport) share this shape: queued → running → done (or failed), a
progress count the builder bumps as it goes, and the finished file in private storage,
downloaded only through a permission-checked view.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import FileResponse
from django.utils import timezone


class FileJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

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


def job_file_response(job: FileJob, filename: str) -> FileResponse:
    """The finished file as a download: attachment, a safe name, never cached."""
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=filename,
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
