"""What the imports keep: the SSDA903 import jobs (with their progress and findings) and
the attendance figures schools upload."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority, School
from children.models import Child
from epep.jobs import FileJob


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


class TermAttendance(models.Model):
    """A child's attendance at one school in one term, in sessions (two a day).

    Written only through imports.services.record_attendance, so that the education
    record (when it has its own model) can take over by changing that one function.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="term_attendance")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    academic_year = models.CharField(max_length=7, help_text="Like 2025/26")
    term = models.CharField(max_length=6)
    possible = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    authorised = models.PositiveIntegerField()
    unauthorised = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["child", "academic_year", "term"]
        constraints = [
            models.UniqueConstraint(fields=["child", "school", "academic_year", "term"],
                                    name="one_attendance_per_child_school_term"),
        ]

    @property
    def percent(self) -> float | None:
        return round(100 * self.present / self.possible, 1) if self.possible else None
