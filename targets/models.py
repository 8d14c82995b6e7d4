"""SMART targets, the review of the previous PEP's targets, and Pupil Premium Plus (PP+)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority
from children.models import Child
from peps.models import Pep
from peps.young_person import ASKS


class Area(models.TextChoices):
    ENGLISH = "english", "English"
    MATHS = "maths", "Maths"
    SCIENCE = "science", "Science"
    OTHER_ACADEMIC = "other_academic", "Other academic subject"
    ATTENDANCE = "attendance", "Attendance"
    WELLBEING = "wellbeing", "Wellbeing and SEMH"
    SOCIAL = "social", "Social"
    POST_16 = "post_16", "Post-16 pathway"
    EARLY_YEARS = "early_years", "Early years development"


# Seed 003: at least one academic target; English, maths and science come first.
ACADEMIC_AREAS = frozenset({Area.ENGLISH, Area.MATHS, Area.SCIENCE, Area.OTHER_ACADEMIC})
AREA_ORDER = {value: n for n, value in enumerate(Area.values)}


class Outcome(models.TextChoices):
    """How a target turned out, decided when the next PEP reviews it."""

    ACHIEVED = "achieved", "Achieved"
    PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    CARRIED_FORWARD = "carried_forward", "Carried forward"


class Target(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"
        CARRIED_FORWARD = "carried_forward", "Carried forward"

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="targets")
    # Denormalised from the PEP so that a child's target history is one indexed query.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="targets")
    area = models.CharField(max_length=16, choices=Area.choices)
    what = models.TextField("The target", max_length=5000)
    baseline = models.TextField("Where they are now", max_length=5000, blank=True)
    success_criteria = models.TextField(max_length=5000)
    strategy_what = models.TextField("What will be done", max_length=5000)
    strategy_who = models.CharField("Who will do it", max_length=200, blank=True)
    strategy_how_often = models.CharField("How often", max_length=200, blank=True)
    responsible = models.CharField("Who is responsible", max_length=200, blank=True)
    responsible_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+")
    by_when = models.DateField()
    pp_plus_requested = models.DecimalField("PP+ cost planned", max_digits=9, decimal_places=2, null=True,
                                            blank=True, validators=[MinValueValidator(Decimal("0"))])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # "You said, we did": which of the young person's asks in section C this target answers
    # (a key of peps.young_person.ASKS), and their words when the target was last saved.
    answers_ask = models.CharField("Answers what the young person asked for", max_length=32, blank=True,
                                   choices=ASKS)
    answers_ask_text = models.TextField(max_length=5000, blank=True)
    # The target in the previous PEP this one continues (a carried-forward copy).
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="carried_to")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pep", "created_at", "pk"]
        indexes = [
            # The child's target history, newest first.
            models.Index(fields=["child", "-created_at"], name="target_child_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.what[:60]}"

    @property
    def is_academic(self) -> bool:
        return self.area in ACADEMIC_AREAS

    @property
    def responsible_name(self) -> str:
        if self.responsible_user_id and self.responsible_user:
            return self.responsible_user.full_name
        return self.responsible


class TargetReview(models.Model):
    """One of the previous PEP's targets, reviewed in the new PEP. Pending until `outcome` is set."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="target_reviews")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    comment = models.TextField(max_length=5000, blank=True)
    carried_to = models.ForeignKey(Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["pep", "target"], name="one_review_per_target_per_pep"),
        ]

    @property
    def is_done(self) -> bool:
        return bool(self.outcome) and bool(self.comment.strip())


def financial_year_for(day: dt.date) -> str:
    """The UK financial year (April to March) of a date, like "2026-27"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


class PpPlusAllocation(models.Model):
    """The PP+ the Virtual School Head holds per child for a financial year (per LA)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="pp_plus_allocations")
    financial_year = models.CharField(max_length=7, help_text='Like "2026-27" (April to March)')
    amount_per_child = models.DecimalField(max_digits=9, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0"))])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["local_authority", "-financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "financial_year"], name="one_allocation_per_la_year"),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority.code} {self.financial_year}: £{self.amount_per_child}"


class Category(models.TextChoices):
    TUITION = "tuition", "One-to-one or small-group tuition"
    LITERACY = "literacy", "Reading and literacy intervention"
    NUMERACY = "numeracy", "Maths intervention"
    MENTORING = "mentoring", "Mentoring or coaching"
    SEMH = "semh", "Emotional wellbeing and therapeutic support"
    RESOURCES = "resources", "Equipment, books or technology"
    ENRICHMENT = "enrichment", "Arts, sport and enrichment"
    ATTENDANCE = "attendance", "Attendance support"
    TRANSITION = "transition", "Transition support"
    OTHER = "other", "Other"


class PpPlusRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        PART_APPROVED = "part_approved", "Part approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    APPROVED_STATUSES = (Status.APPROVED, Status.PART_APPROVED)

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="pp_plus_requests")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="pp_plus_requests")
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="pp_plus_requests")
    amount = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    what_it_buys = models.TextField(max_length=5000)
    category = models.CharField(max_length=12, choices=Category.choices)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.REQUESTED)
    approved_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    reason = models.TextField(max_length=5000, blank=True)
    # Why the school asks for more than the child's year has left (the request page asks).
    over_allocation_reason = models.TextField(max_length=2000, blank=True)
    # The financial year (April to March) of the day it was requested.
    financial_year = models.CharField(max_length=7)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [
            # The ledger: one child's requests in one financial year.
            models.Index(fields=["child", "financial_year"], name="ppplus_child_year_idx"),
            # The Virtual School's queue and the finance export, by year and status.
            models.Index(fields=["financial_year", "status"], name="ppplus_year_status_idx"),
        ]

    def __str__(self) -> str:
        return f"PP+ request {self.pk}: £{self.amount} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if not self.financial_year:
            self.financial_year = financial_year_for(timezone.localtime(self.requested_at).date())
        super().save(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status in self.APPROVED_STATUSES

    @property
    def payable(self) -> bool:
        """Money moves only for an approved decision on an approved PEP."""
        return self.is_approved and self.pep.status == Pep.Status.APPROVED

    @property
    def payable_amount(self) -> Decimal:
        return (self.approved_amount or Decimal("0")) if self.payable else Decimal("0")
