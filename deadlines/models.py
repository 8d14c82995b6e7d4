"""PEP deadlines: each LA's term dates and deadline settings, concern requests, the
notices sent about deadlines (the emails themselves go through core.notifications)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority
from children.models import Child
from core import calendar as school_calendar
from peps.models import Term as TermName


class TermDates(models.Model):
    """One term of an LA's school calendar, half-term break included."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="term_dates")
    academic_year = models.CharField(max_length=7, help_text="Like 2026/27")
    term = models.CharField(max_length=6, choices=TermName.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    half_term_starts_on = models.DateField()
    half_term_ends_on = models.DateField()

    class Meta:
        ordering = ["local_authority", "starts_on"]
        verbose_name_plural = "term dates"
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "academic_year", "term"], name="one_term_per_la_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_term_display()} term {self.academic_year}"

    def as_term(self) -> school_calendar.Term:
        """The plain-Python term the deadline arithmetic works with (validates it too)."""
        return school_calendar.Term(self.academic_year, self.term, self.starts_on, self.ends_on,
                              self.half_term_starts_on, self.half_term_ends_on)


class DayOff(models.Model):
    """A weekday inside term when the LA's schools are shut: an INSET (training) day or a closure.

    Not a school day, so it counts toward no school-day deadline (the 190 days of the year
    are the term days less half-terms, bank holidays and these).
    """

    class Kind(models.TextChoices):
        INSET = "inset", "INSET (training) day"
        CLOSURE = "closure", "Closure day"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="days_off")
    day = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.INSET)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["local_authority", "day"]
        verbose_name_plural = "days off"
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "day"], name="one_day_off_per_la_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day:%-d %B %Y}"


class DeadlineSettings(models.Model):
    """How one LA counts its PEP deadlines. An LA without a row uses the defaults."""

    class Post16Pattern(models.TextChoices):
        TERMLY = "termly", "Every term"
        STAFFORDSHIRE = "staffordshire", "Year 12 autumn and summer terms, Year 13 spring term"

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE,
                                           related_name="deadline_settings")
    count_school_days = models.BooleanField(
        default=False,
        help_text="Count the 20 days for initial and change-of-school PEPs in school days, not working days.",
    )
    half_termly_for_ri_schools = models.BooleanField(
        default=False,
        help_text="Children at schools rated requires improvement or inadequate need a PEP every half-term.",
    )
    post16_pattern = models.CharField(max_length=14, choices=Post16Pattern.choices, default=Post16Pattern.TERMLY)

    class Meta:
        verbose_name_plural = "deadline settings"

    def __str__(self) -> str:
        return f"Deadline settings of {self.local_authority}"


class ConcernRequest(models.Model):
    """Someone in the team asking for an extra PEP meeting; it is due in 10 working days."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="concern_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    reason = models.TextField(max_length=2000)
    requested_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        indexes = [
            # The deadline engine: an LA's concern requests from a date onwards.
            models.Index(fields=["child", "requested_on"], name="concern_child_idx"),
        ]

    def __str__(self) -> str:
        return f"Concern review for child {self.child_id} requested on {self.requested_on}"


class Notice(models.Model):
    """One notice sent to one person about a deadline (or their daily digest).

    The unique constraint is what makes the daily run idempotent: a second run on the
    same day finds the rows already there and sends nothing again. A digest uses the
    key "digest" and the day it covers; a "became overdue" notice uses the deadline's
    key and its due date, so it is sent once per deadline whichever day the run sees it.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", "Daily digest"
        OVERDUE = "overdue", "Deadline became overdue"

    DIGEST_KEY = "digest"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    deadline_key = models.CharField(max_length=120)
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "deadline_key", "day"], name="one_notice_per_deadline_day"),
        ]
        indexes = [
            # flag_overdue: "which notices exist already for these days?"
            models.Index(fields=["day", "kind"], name="notice_day_idx"),
        ]


class DeadlineStatus(models.Model):
    """One current deadline of one child, as the engine (deadlines.engine) works it out for
    the day of the child's LA in DeadlineStatusDay: kept by deadlines.status, read by the
    deadline lists, home panels, dashboards and the daily run instead of the engine.

    The status is stored with the day it is true for, not derived from `due_on` in SQL:
    which deadlines are current (the term, the 20-working-day windows) moves with the day
    too, so the table has to be rolled forward every night anyway, and then storing the
    engine's own status keeps one rule in one place (the engine) and makes the drift check
    a plain comparison of rows.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    # Copies of the child's LA and current school, so that per-LA and per-school figures
    # are one aggregate over this table.
    local_authority_id = models.IntegerField()
    school_id = models.IntegerField(null=True)
    kind = models.CharField(max_length=20)
    # The engine's key (notices are keyed on it): "<child>:<kind>:<what>:<due date>".
    key = models.CharField(max_length=120)
    detail = models.TextField(max_length=1000)
    due_on = models.DateField()
    done_on = models.DateField(null=True)
    status = models.CharField(max_length=10)

    class Meta:
        indexes = [
            # The dashboards, home panels and the daily run: an LA's deadlines by status.
            models.Index(fields=["local_authority_id", "status"], name="deadline_status_la_idx"),
            # The child's page, and every refresh (rows replaced per child).
            models.Index(fields=["child", "due_on"], name="deadline_status_child_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class DeadlineStatusDay(models.Model):
    """The day an LA's DeadlineStatus rows are the engine's answer for.

    Written by the nightly roll (deadlines.status.roll), which recomputes the LA for a new
    day; every audited write to an input then refreshes what it changed for the same day.
    An LA without a row (never rolled), or asked about another day, is answered by the
    engine itself.
    """

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE, primary_key=True,
                                           related_name="+")
    day = models.DateField()
    rolled_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Deadlines of {self.local_authority_id} as on {self.day}"
