"""The child's education record, kept over time and outliving any one PEP.

Attendance per term, suspensions and exclusions, part-time timetables, alternative
provision, SEN status over time, attainment per assessment point, school moves and
post-16 EET status. PEPs read from it and write to it (peps.record_link).

Terms are named as PEPs name them (academic year "2026/27" and autumn/spring/summer),
without importing peps: this app sits below it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority, School
from children.models import Child, SchoolPlacement

academic_year_validator = RegexValidator(r"^\d{4}/\d{2}$", "Enter the academic year like 2026/27")

PERSISTENT_ABSENCE_BELOW = Decimal("90")
SEVERE_ABSENCE_BELOW = Decimal("50")
VIRTUAL_SCHOOL_FLAG_BELOW = Decimal("95")


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


def _check_academic_year(value: str) -> None:
    try:
        academic_year_validator(value)
    except ValidationError as exc:
        raise ValidationError({"academic_year": exc.messages}) from exc
    start, end = int(value[:4]), int(value[5:])
    if (start + 1) % 100 != end:
        raise ValidationError({"academic_year": "Enter the academic year like 2026/27 (one year after the other)"})


class Attendance(models.Model):
    """Sessions (half-days) per child, school and term, or half-term where the school gives it."""

    class HalfTerm(models.IntegerChoices):
        WHOLE = 0, "Whole term"
        FIRST = 1, "First half"
        SECOND = 2, "Second half"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendance")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    academic_year = models.CharField(max_length=7, validators=[academic_year_validator])
    term = models.CharField(max_length=6, choices=Term.choices)
    half_term = models.SmallIntegerField(choices=HalfTerm.choices, default=HalfTerm.WHOLE)
    sessions_possible = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(400)])
    sessions_present = models.PositiveIntegerField()
    sessions_authorised_absence = models.PositiveIntegerField(default=0)
    sessions_unauthorised_absence = models.PositiveIntegerField(default=0)

    FIELDS = ("school", "academic_year", "term", "half_term", "sessions_possible", "sessions_present",
              "sessions_authorised_absence", "sessions_unauthorised_absence")

    class Meta:
        ordering = ["-academic_year", "-term", "half_term"]
        constraints = [
            models.UniqueConstraint(fields=["child", "school", "academic_year", "term", "half_term"],
                                    name="one_attendance_per_child_school_term"),
            models.CheckConstraint(
                name="attendance_sessions_add_up",
                condition=models.Q(sessions_present__lte=models.F("sessions_possible")),
            ),
        ]
        indexes = [
            # A child's attendance by academic year (the record page, section B, the PEP's change).
            models.Index(fields=["child", "academic_year"], name="attendance_child_year_idx"),
        ]

    def clean(self) -> None:
        if self.academic_year:
            _check_academic_year(self.academic_year)
        if None in (self.sessions_possible, self.sessions_present):
            return
        absent = (self.sessions_authorised_absence or 0) + (self.sessions_unauthorised_absence or 0)
        if self.sessions_present > self.sessions_possible:
            raise ValidationError({"sessions_present": "Sessions present must not be more than the possible sessions"})
        if self.sessions_present + absent != self.sessions_possible:
            raise ValidationError({"sessions_unauthorised_absence": (
                f"Sessions present, authorised absence and unauthorised absence must add up to the "
                f"possible sessions ({self.sessions_possible}); they add up to {self.sessions_present + absent}")})

    @property
    def percent(self) -> Decimal:
        return percent_of(self.sessions_present, self.sessions_possible)

    @property
    def persistent_absence(self) -> bool:
        return self.percent < PERSISTENT_ABSENCE_BELOW

    @property
    def severe_absence(self) -> bool:
        return self.percent < SEVERE_ABSENCE_BELOW

    @property
    def period_label(self) -> str:
        half = "" if self.half_term == self.HalfTerm.WHOLE else f" ({self.get_half_term_display().lower()})"
        return f"{self.get_term_display()} {self.academic_year}{half}"


def percent_of(present: int, possible: int) -> Decimal:
    """Attendance as a percentage to one decimal place: computed, never typed."""
    if not possible:
        return Decimal("0.0")
    return (Decimal(present) * 100 / Decimal(possible)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def plain_number(value: Decimal | int | float | None) -> str:
    """12.0 as "12" and 12.5 as "12.5" (hours, days)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def absence_flag(percent: Decimal | None) -> str:
    """The DfE's severe (below 50%) and persistent (below 90%) absence, and the Virtual School's 95%."""
    if percent is None:
        return ""
    if percent < SEVERE_ABSENCE_BELOW:
        return "Severe absence"
    if percent < PERSISTENT_ABSENCE_BELOW:
        return "Persistent absence"
    if percent < VIRTUAL_SCHOOL_FLAG_BELOW:
        return "Below 95%"
    return ""


class ExclusionReason(models.TextChoices):
    """The DfE's reasons for a suspension or permanent exclusion (school census, from 2020/21)."""

    PP = "PP", "Physical assault against a pupil"
    PA = "PA", "Physical assault against an adult"
    VP = "VP", "Verbal abuse or threatening behaviour against a pupil"
    VA = "VA", "Verbal abuse or threatening behaviour against an adult"
    US = "US", "Use or threat of use of an offensive weapon or prohibited item"
    BU = "BU", "Bullying"
    RA = "RA", "Abuse relating to race"
    LG = "LG", "Abuse against sexual orientation and gender identity"
    AD = "AD", "Abuse relating to disability"
    SM = "SM", "Sexual misconduct"
    DA = "DA", "Drug and alcohol related"
    DM = "DM", "Damage"
    TH = "TH", "Theft"
    MT = "MT", "Inappropriate use of social media or online technology"
    PH = "PH", "Wilful and repeated transgression of protective measures to protect public health"
    PD = "PD", "Persistent or general disruptive behaviour"
    OT = "OT", "Other"


class Exclusion(models.Model):
    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Suspension (fixed period)"
        PERMANENT = "permanent", "Permanent exclusion"

    class Unit(models.TextChoices):
        DAYS = "days", "Days"
        SESSIONS = "sessions", "Sessions"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="exclusions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField()
    length = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal("0.5"))])
    length_unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.DAYS)
    # Professional-only: carers and young people see that there was an exclusion, not why.
    reason = models.CharField(max_length=2, choices=ExclusionReason.choices)
    notes = models.TextField(max_length=2000, blank=True)

    FIELDS = ("school", "kind", "starts_on", "length", "length_unit", "reason", "notes")
    PROFESSIONAL_ONLY_FIELDS = ("reason", "notes")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [
            # A child's exclusions, newest first (record page, section B's counts for the year).
            models.Index(fields=["child", "-starts_on"], name="exclusion_child_idx"),
        ]

    def clean(self) -> None:
        # Every problem at once (the form shows them together in its error summary).
        errors = {}
        if self.starts_on and self.starts_on > timezone.localdate():
            errors["starts_on"] = "The date it started must be today or in the past"
        if self.kind == self.Kind.SUSPENSION and self.length is None:
            errors["length"] = "Enter how long the suspension is"
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> Decimal:
        """Length in school days (two sessions a day)."""
        if self.length is None:
            return Decimal(0)
        return self.length if self.length_unit == self.Unit.DAYS else self.length / 2


class PartTimeTimetable(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="part_time_timetables")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1,
                                         validators=[MinValueValidator(Decimal("0.5")),
                                                     MaxValueValidator(Decimal("32.5"))])
    review_on = models.DateField("agreed review date")
    # Professional-only: the reason can say more than a family member should read.
    reason = models.TextField(max_length=2000, blank=True)

    FIELDS = ("school", "starts_on", "ends_on", "hours_per_week", "review_on", "reason")
    PROFESSIONAL_ONLY_FIELDS = ("reason",)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [
            # The deadlines list: open timetables whose review date has come.
            models.Index(fields=["ends_on", "review_on"], name="part_time_review_idx"),
        ]

    def clean(self) -> None:
        # Every problem at once (the form shows them together in its error summary).
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end date must be on or after the start date"
        if self.starts_on and self.review_on and self.review_on < self.starts_on:
            errors["review_on"] = "The review date must be on or after the start date"
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self) -> bool:
        return self.ends_on is None or self.ends_on >= timezone.localdate()

    @property
    def review_overdue(self) -> bool:
        return self.ends_on is None and self.review_on < timezone.localdate()


class AlternativeProvision(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="alternative_provision")
    provider = models.CharField(max_length=200)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1,
                                         validators=[MinValueValidator(Decimal("0.5")),
                                                     MaxValueValidator(Decimal("40"))])
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    FIELDS = ("provider", "hours_per_week", "starts_on", "ends_on")

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date"})

    @property
    def is_current(self) -> bool:
        return self.ends_on is None or self.ends_on >= timezone.localdate()


class SenNeed(models.TextChoices):
    """The DfE's SEN type codes (school census)."""

    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Visual impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    ASD = "ASD", "Autistic spectrum disorder"
    OTH = "OTH", "Other difficulty or disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class SenStatus(models.Model):
    """The child's SEN status from a date (a new row for each change: status over time)."""

    class Status(models.TextChoices):
        NONE = "none", "No special educational needs"
        SEN_SUPPORT = "sen_support", "SEN support"
        EHCP = "ehcp", "Education, health and care plan (EHCP)"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="sen_statuses")
    status = models.CharField(max_length=12, choices=Status.choices)
    starts_on = models.DateField()
    # Professional-only.
    primary_need = models.CharField(max_length=4, choices=SenNeed.choices, blank=True)
    ehcp_started_on = models.DateField("EHCP start date", null=True, blank=True)
    maintaining_la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name="maintaining local authority")
    last_annual_review_on = models.DateField(null=True, blank=True)
    next_annual_review_on = models.DateField(null=True, blank=True)

    FIELDS = ("status", "starts_on", "primary_need", "ehcp_started_on", "maintaining_la",
              "last_annual_review_on", "next_annual_review_on")
    PROFESSIONAL_ONLY_FIELDS = ("primary_need",)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [
            # A child's SEN history, newest first; the latest is the current status.
            models.Index(fields=["child", "-starts_on"], name="sen_child_idx"),
            # The deadlines list: EHCP annual reviews by due date.
            models.Index(fields=["status", "next_annual_review_on"], name="sen_review_due_idx"),
        ]

    def clean(self) -> None:
        errors = {}
        if self.status == self.Status.EHCP:
            if not self.ehcp_started_on:
                errors["ehcp_started_on"] = "Enter the date the EHCP started"
            if not self.maintaining_la_id:
                errors["maintaining_la"] = "Select the local authority that maintains the EHCP"
        elif self.status == self.Status.NONE and self.primary_need:
            errors["primary_need"] = "A child with no special educational needs has no primary need"
        if self.status != self.Status.NONE and not self.primary_need:
            errors["primary_need"] = "Select the child's primary need"
        last, nxt = self.last_annual_review_on, self.next_annual_review_on
        if last and nxt and nxt > add_months(last, 12):
            errors["next_annual_review_on"] = ("The next annual review must be within 12 months of the last "
                                               f"(by {add_months(last, 12):%-d %B %Y})")
        if last and nxt and nxt <= last:
            errors["next_annual_review_on"] = "The next annual review must be after the last one"
        if errors:
            raise ValidationError(errors)

    @property
    def review_due_on(self) -> dt.date | None:
        """When the EHCP's annual review is due: the date set, or 12 months after the last
        (or after the plan started when there has been none)."""
        if self.status != self.Status.EHCP:
            return None
        if self.next_annual_review_on:
            return self.next_annual_review_on
        base = self.last_annual_review_on or self.ehcp_started_on
        return add_months(base, 12) if base else None


class Attainment(models.Model):
    """One result per subject per assessment point."""

    class Assessment(models.TextChoices):
        EYFS = "eyfs", "EYFS profile"
        PHONICS = "phonics", "Phonics screening check"
        KS1 = "ks1", "Key stage 1"
        KS2 = "ks2", "Key stage 2"
        MTC = "mtc", "Multiplication tables check (Year 4)"
        GCSE = "gcse", "GCSE"
        POST_16 = "post_16", "Post-16 qualification"
        TERMLY = "termly", "Termly progress against age-related expectations"

    class GradeKind(models.TextChoices):
        TARGET = "target", "Target"
        PREDICTED = "predicted", "Predicted"
        ACTUAL = "actual", "Actual"

    # What a result may be, per assessment (scores and grades are checked in clean()).
    RESULTS: dict[str, list[tuple[str, str]]] = {
        "eyfs": [("gld", "Good level of development"), ("not_gld", "Not yet at a good level of development")],
        "phonics": [("met", "Met the expected standard"), ("not_met", "Not yet met the expected standard")],
        "ks1": [("wts", "Working towards the expected standard"), ("exs", "Working at the expected standard"),
                ("gds", "Working at greater depth")],
        "ks2": [("wts", "Working towards the expected standard"), ("exs", "Working at the expected standard"),
                ("gds", "Working at greater depth")],
        "termly": [("below", "Below age-related expectations"),
                   ("working_towards", "Working towards age-related expectations"),
                   ("at", "At age-related expectations"), ("above", "Above age-related expectations")],
        "gcse": [(str(g), f"Grade {g}") for g in range(9, 0, -1)] + [("U", "U (ungraded)")],
        "post_16": [("passed", "Passed"), ("in_progress", "In progress"), ("not_passed", "Not passed")],
        "mtc": [],
    }
    ALL_RESULTS = sorted({value: label for rows in RESULTS.values() for value, label in rows}.items())

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attainment")
    academic_year = models.CharField(max_length=7, validators=[academic_year_validator])
    term = models.CharField(max_length=6, choices=Term.choices)
    assessment = models.CharField(max_length=8, choices=Assessment.choices)
    subject = models.CharField(max_length=100)
    result = models.CharField(max_length=20, blank=True)
    # KS2 scaled score (80 to 120, 100 is expected) or the MTC score (0 to 25).
    score = models.SmallIntegerField(null=True, blank=True)
    grade_kind = models.CharField(max_length=9, choices=GradeKind.choices, blank=True)
    # Post-16.
    course = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=40, blank=True)
    qualification = models.CharField(max_length=200, blank=True)

    FIELDS = ("academic_year", "term", "assessment", "subject", "result", "score", "grade_kind", "course",
              "level", "qualification")

    class Meta:
        ordering = ["-academic_year", "-term", "assessment", "subject"]
        constraints = [
            # One result per subject per assessment point (a GCSE's target, predicted and actual apart).
            models.UniqueConstraint(fields=["child", "academic_year", "term", "assessment", "subject", "grade_kind"],
                                    name="one_result_per_subject_and_assessment_point"),
        ]
        indexes = [
            # A child's results (record page; the latest termly progress for section B).
            models.Index(fields=["child", "assessment", "academic_year"], name="attainment_child_idx"),
        ]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.academic_year:
            try:
                _check_academic_year(self.academic_year)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        allowed = dict(self.RESULTS.get(self.assessment, []))
        if self.assessment == self.Assessment.MTC:
            if self.score is None or not 0 <= self.score <= 25:
                errors["score"] = "Enter the multiplication tables check score, from 0 to 25"
        elif self.assessment == self.Assessment.POST_16:
            if not self.course:
                errors["course"] = "Enter the course"
            if self.result and self.result not in allowed:
                errors["result"] = "Select a post-16 result from the list"
        elif self.assessment:
            if self.result not in allowed:
                errors["result"] = f"Select a result for the {self.get_assessment_display().lower()} from the list"
        if self.assessment == self.Assessment.KS2 and self.score is not None and not 80 <= self.score <= 120:
            errors["score"] = "A key stage 2 scaled score is from 80 to 120"
        if self.assessment not in (self.Assessment.KS2, self.Assessment.MTC) and self.score is not None:
            errors["score"] = "Only key stage 2 tests and the multiplication tables check have a score"
        if self.assessment == self.Assessment.GCSE and not self.grade_kind:
            errors["grade_kind"] = "Select whether the GCSE grade is a target, predicted or actual grade"
        if errors:
            raise ValidationError(errors)

    @property
    def result_label(self) -> str:
        if self.assessment == self.Assessment.MTC:
            return f"{self.score} out of 25" if self.score is not None else ""
        label = dict(self.RESULTS.get(self.assessment, [])).get(self.result, self.result)
        if self.assessment == self.Assessment.KS2 and self.score is not None:
            label = f"{label}, scaled score {self.score}"
        if self.grade_kind:
            label = f"{self.get_grade_kind_display()}: {label}"
        return label


class EyfsLevel(models.TextChoices):
    EXPECTED = "expected", "Expected"
    EMERGING = "emerging", "Emerging"


# The EYFS profile's seven areas of learning and their 17 early learning goals (ELGs), as the
# DfE's EYFS profile handbook (2021 onwards) sets them out: (area key, area, [(field, goal)]).
EYFS_AREAS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("cl", "Communication and language", [
        ("elg_listening", "Listening, attention and understanding"), ("elg_speaking", "Speaking")]),
    ("psed", "Personal, social and emotional development", [
        ("elg_self_regulation", "Self-regulation"), ("elg_managing_self", "Managing self"),
        ("elg_building_relationships", "Building relationships")]),
    ("pd", "Physical development", [
        ("elg_gross_motor", "Gross motor skills"), ("elg_fine_motor", "Fine motor skills")]),
    ("literacy", "Literacy", [
        ("elg_comprehension", "Comprehension"), ("elg_word_reading", "Word reading"), ("elg_writing", "Writing")]),
    ("maths", "Mathematics", [("elg_number", "Number"), ("elg_numerical_patterns", "Numerical patterns")]),
    ("uw", "Understanding the world", [
        ("elg_past_and_present", "Past and present"),
        ("elg_people_culture_communities", "People, culture and communities"),
        ("elg_natural_world", "The natural world")]),
    ("ead", "Expressive arts and design", [
        ("elg_creating_with_materials", "Creating with materials"),
        ("elg_being_imaginative", "Being imaginative and expressive")]),
]
EYFS_GOALS: list[tuple[str, str, str]] = [(name, label, area) for area, _a, goals in EYFS_AREAS
                                          for name, label in goals]
# The DfE's good level of development: the expected level in every ELG of the prime areas
# (communication and language, personal, social and emotional, physical) and of the
# specific areas literacy and mathematics: 12 of the 17 goals.
GLD_AREAS = ("cl", "psed", "pd", "literacy", "maths")
GLD_GOALS = tuple(name for name, _label, area in EYFS_GOALS if area in GLD_AREAS)
# The record's attainment row that says it (quality.reporting counts it): written by the
# EYFS profile's service only.
EYFS_RESULT_SUBJECT = "Overall"


def _goal_field(label: str) -> models.CharField:
    return models.CharField(label, max_length=8, choices=EyfsLevel.choices)


class EyfsProfile(models.Model):
    """The EYFS profile completed at the end of Reception: each early learning goal at the
    expected level or emerging. The good level of development is worked out from them."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="eyfs_profiles")
    # The Reception year the profile was completed in (the summer term).
    academic_year = models.CharField(max_length=7, validators=[academic_year_validator])
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    elg_listening = _goal_field("Listening, attention and understanding")
    elg_speaking = _goal_field("Speaking")
    elg_self_regulation = _goal_field("Self-regulation")
    elg_managing_self = _goal_field("Managing self")
    elg_building_relationships = _goal_field("Building relationships")
    elg_gross_motor = _goal_field("Gross motor skills")
    elg_fine_motor = _goal_field("Fine motor skills")
    elg_comprehension = _goal_field("Comprehension")
    elg_word_reading = _goal_field("Word reading")
    elg_writing = _goal_field("Writing")
    elg_number = _goal_field("Number")
    elg_numerical_patterns = _goal_field("Numerical patterns")
    elg_past_and_present = _goal_field("Past and present")
    elg_people_culture_communities = _goal_field("People, culture and communities")
    elg_natural_world = _goal_field("The natural world")
    elg_creating_with_materials = _goal_field("Creating with materials")
    elg_being_imaginative = _goal_field("Being imaginative and expressive")

    FIELDS = ("academic_year", "school", *(name for name, _label, _area in EYFS_GOALS))

    class Meta:
        ordering = ["-academic_year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["child", "academic_year"], name="one_eyfs_profile_per_child_and_year"),
        ]

    def clean(self) -> None:
        if self.academic_year:
            _check_academic_year(self.academic_year)

    @property
    def good_level_of_development(self) -> bool:
        return all(getattr(self, name) == EyfsLevel.EXPECTED for name in GLD_GOALS)

    @property
    def expected_count(self) -> int:
        return sum(1 for name, _label, _area in EYFS_GOALS if getattr(self, name) == EyfsLevel.EXPECTED)

    def areas(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(area, [(goal, level label)]) in the profile's order, for pages and section B."""
        labels = dict(EyfsLevel.choices)
        return [(area_label, [(label, str(labels.get(getattr(self, name), "Not recorded"))) for name, label in goals])
                for _key, area_label, goals in EYFS_AREAS]

    def summary(self) -> dict:
        """What section B keeps of it (JSON): the year, the good level of development, the goals."""
        return {"academic_year": self.academic_year, "school": self.school.name if self.school else "",
                "good_level_of_development": self.good_level_of_development,
                "expected_count": self.expected_count, "goals_count": len(EYFS_GOALS),
                "areas": [[area, [[goal, level] for goal, level in goals]] for area, goals in self.areas()]}


class SchoolMove(models.Model):
    """Why a child moved to a school placement (children.SchoolPlacement) and whether mid-year."""

    class Reason(models.TextChoices):
        CARE_PLACEMENT = "care_placement", "Change of care placement"
        ENTERED_CARE = "entered_care", "Entered care"
        PHASE_TRANSFER = "phase_transfer", "Normal move between phases (for example, to secondary)"
        EXCLUSION = "exclusion", "Permanent exclusion"
        MANAGED_MOVE = "managed_move", "Managed move"
        SPECIALIST = "specialist", "Move to specialist provision"
        LEFT_CARE = "left_care", "Left care"
        OTHER = "other", "Other"

    placement = models.OneToOneField(SchoolPlacement, on_delete=models.CASCADE, related_name="move")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    mid_year = models.BooleanField("moved in the middle of the school year", default=False)
    notes = models.TextField(max_length=2000, blank=True)

    FIELDS = ("reason", "mid_year", "notes")
    PROFESSIONAL_ONLY_FIELDS = ("notes",)


def is_mid_year(started_on: dt.date) -> bool:
    """A move outside the usual start of the school year (late August to mid-September)."""
    return not ((started_on.month == 8 and started_on.day >= 20) or (started_on.month == 9 and started_on.day <= 15))


class EetStatus(models.Model):
    """A post-16 young person's education, employment or training status from a date."""

    class Status(models.TextChoices):
        EDUCATION = "education", "In education"
        EMPLOYMENT = "employment", "In employment"
        TRAINING = "training", "In training or an apprenticeship"
        NEET = "neet", "Not in education, employment or training (NEET)"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="eet_statuses")
    status = models.CharField(max_length=10, choices=Status.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    personal_adviser = models.CharField(max_length=200, blank=True)
    pathway_plan_reviewed_on = models.DateField(null=True, blank=True)

    FIELDS = ("status", "starts_on", "ends_on", "provider", "personal_adviser", "pathway_plan_reviewed_on")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name_plural = "EET statuses"

    def clean(self) -> None:
        # Every problem at once (the form shows them together in its error summary).
        errors = {}
        if self.starts_on and self.starts_on > timezone.localdate():
            errors["starts_on"] = "The start date must be today or in the past"
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end date must be on or after the start date"
        if self.status and self.status != self.Status.NEET and not self.provider:
            errors["provider"] = "Enter the provider, employer or college"
        if errors:
            raise ValidationError(errors)

    @property
    def is_neet(self) -> bool:
        return self.status == self.Status.NEET
