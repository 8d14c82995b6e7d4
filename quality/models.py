"""Quality assurance of PEPs (criteria per LA, reviews, ratings) and term exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority
from core.jobs import FileJob
from peps.models import Pep, Term


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


def overall_rating(ratings: list[str]) -> str:
    """Any red makes the whole PEP red, else any amber makes it amber, else green."""
    if Rag.RED in ratings:
        return Rag.RED
    if Rag.AMBER in ratings:
        return Rag.AMBER
    return Rag.GREEN


class QaCriterion(models.Model):
    """One thing the Virtual School checks in every PEP; each LA edits its own list."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="qa_criteria")
    code = models.SlugField(max_length=40)
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["local_authority", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "code"], name="qa_criterion_code_unique_in_la"),
        ]

    def __str__(self) -> str:
        return self.text


class QaReview(models.Model):
    class Decision(models.TextChoices):
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="qa_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    overall = models.CharField(max_length=5, choices=Rag.choices)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A PEP's QA history, newest first; also "the latest rating of each PEP" on dashboards.
            models.Index(fields=["pep", "-created_at"], name="qareview_pep_idx"),
        ]

    def __str__(self) -> str:
        return f"QA of PEP {self.pep_id}: {self.overall} ({self.decision})"


class QaRating(models.Model):
    review = models.ForeignKey(QaReview, on_delete=models.CASCADE, related_name="ratings")
    # The criterion may later be edited or retired; the text it had is kept with the rating.
    criterion = models.ForeignKey(QaCriterion, on_delete=models.SET_NULL, null=True, related_name="+")
    criterion_text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    rating = models.CharField(max_length=5, choices=Rag.choices)
    comment = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["review", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.criterion_text}: {self.rating}"


class ExportJob(FileJob):
    """All approved PEPs of one term as one ZIP, built by Celery."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    academic_year = models.CharField(max_length=7)
    term = models.CharField(max_length=6, choices=Term.choices)
    file = models.FileField(upload_to="exports/", blank=True)

    class Meta(FileJob.Meta):
        indexes = [
            # The export list of one LA, newest first.
            models.Index(fields=["la", "-created_at"], name="exportjob_la_idx"),
        ]

    @property
    def term_label(self) -> str:
        return f"{self.get_term_display()} term {self.academic_year}"
