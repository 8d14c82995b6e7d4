"""What the imports keep: the SSDA903 import jobs (with their progress and findings) and
the attendance figures schools upload."""

from __future__ import annotations

from django.db import models

from accounts.models import LocalAuthority
from core.jobs import FileJob


class Ssda903Import(FileJob):
    """One SSDA903 import run by Celery; the uploaded files are kept until it has run."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ssda903_imports")
    header = models.FileField(upload_to="imports/903/")
    episodes = models.FileField(upload_to="imports/903/", blank=True)
    names = models.FileField(upload_to="imports/903/", blank=True)
    # The outcome: counts, per-row problems and the DfE validator's findings (warnings).
    result = models.JSONField(default=dict, blank=True)

    class Meta(FileJob.Meta):
        indexes = [
            # An LA's imports, newest first.
            models.Index(fields=["local_authority", "-created_at"], name="ssda903_la_idx"),
        ]
