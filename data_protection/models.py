"""Subject-access exports and the monthly retention review. Both tables were made by the
children app and kept their names (and index names) when the models moved here."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority
from children.models import Child
from core.jobs import FileJob


class SubjectAccessExport(FileJob):
    """Everything held on one child as one ZIP, built by Celery (data_protection.services)."""

    # The ZIP holds the whole record, so it goes when the child's record is destroyed.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="subject_access_exports")
    reason = models.TextField(max_length=500)
    file = models.FileField(upload_to="subject-access/", blank=True)

    class Meta(FileJob.Meta):
        db_table = "children_subjectaccessexport"  # made by the children app, where the model began
        indexes = [
            # The exports of one child, newest first.
            models.Index(fields=["child", "-created_at"], name="sar_child_idx"),
        ]


class RetentionReview(models.Model):
    """One LA's monthly retention run: the records past their destroy-after date that day.

    One row per LA per run day (unique), so a second run on the same day lists and emails
    nothing again. Only ids are kept: the names are on the (live) retention page.
    """

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="retention_reviews")
    run_on = models.DateField()
    child_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "children_retentionreview"  # made by the children app, where the model began
        ordering = ["-run_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "run_on"], name="one_retention_review_per_la_day"),
        ]

    @property
    def count(self) -> int:
        return len(self.child_ids)
