"""Virtual School reporting: the outcomes of one LA's children for an academic year,
beside the previous two (the Virtual School Head's annual report; Ofsted's questions).

Every figure is a set of child ids, so the list behind a figure is exactly the children it
counts. The report reads a fixed number of queries for the three years together (each
table once, with values_list() or a grouped SQL aggregate, sorted only where the order
decides a figure), whatever the number of children; the rest is one pass per year over
one row per child, with the figures' sets filled in the same pass.

Definitions (per academic year, September to August; "the reference date" is 31 August,
or today for the year under way):

- The cohort: the LA's children in care on any day of the year.
- School, year group, phase, key stage, in or out of area: the school placement open on
  the reference date (else the last one of the year); the year group moves on each
  September from the placement's.
- Looked after 12 months or more at 31 March (the DfE's outcome cohort): one continuous
  period of care begun on or before 31 March of the year before and open on 31 March. A
  period is the child's care episodes joined where one begins on the day the last ended
  (SSDA903 starts a new episode at every change of placement or legal status); a day or
  more out of care between two episodes begins a new period (care_periods).
- PEP completion: an approved PEP of the year; timeliness: a PEP meeting held in every
  term of the year the child was in care for (terms not yet begun are not counted).
- QA outcomes: the latest QA rating of the child's PEPs of the year.
- Attendance: sessions present over sessions possible, all the year's records summed;
  persistent absence below 90%, severe below 50% (the DfE's definitions).
- Suspensions and permanent exclusions starting in the year; days as school days.
- Attainment: a key stage's children are those with a result in the year; at the
  expected standard means every result at it or above (EYFS good level of development,
  phonics met, KS1/KS2 expected or greater depth). KS4: actual GCSE grades (U counts 0),
  grade 4 or above in both an English and a maths GCSE.
- NEET: Years 12 and 13 with an EET status on the reference date; NEET among them.
- SEN: the status on the reference date.
- PP+: the allocation per child times the cohort, for the financial year that begins in
  the academic year's first calendar year (2025/26 → 2025-26); spent is the approved
  amounts of that financial year's requests, by category.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import User
from children.models import YEAR_GROUP_CHOICES, CareEpisode, Child, Phase, SchoolPlacement, phase_for_year_group
from children.policies import children_visible_to
from core.audit import cached_until_write
from core.calendar import TermRef, academic_year_bounds, academic_year_label, academic_year_start
from core.roles import Role
from core.text import lower_first
from education.models import (
    PERSISTENT_ABSENCE_BELOW,
    SEVERE_ABSENCE_BELOW,
    Attainment,
    Attendance,
    EetStatus,
    Exclusion,
    SenStatus,
    percent_of,
)
from peps.models import Pep
from targets.models import Category, PpPlusAllocation, PpPlusRequest

from .models import QaReview, Rag

YEARS_SHOWN = 3
YEAR_GROUP_LABELS = dict(YEAR_GROUP_CHOICES)
PHASE_LABELS = dict(Phase.choices)

KEY_STAGES = {
    "eyfs": "Early years (to Reception)",
    "ks1": "Key stage 1 (Years 1 and 2)",
    "ks2": "Key stage 2 (Years 3 to 6)",
    "ks3": "Key stage 3 (Years 7 to 9)",
    "ks4": "Key stage 4 (Years 10 and 11)",
    "ks5": "Post-16 (Years 12 and 13)",
}

SEN_LABELS = dict(SenStatus.Status.choices)
GENDER_LABELS = dict(Child.Gender.choices)


def key_stage(year_group: int | None) -> str:
    if year_group is None:
        return ""
    if year_group <= 0:
        return "eyfs"
    if year_group <= 2:
        return "ks1"
    if year_group <= 6:
        return "ks2"
    if year_group <= 9:
        return "ks3"
    if year_group <= 11:
        return "ks4"
    return "ks5"


def term_windows(start: int) -> list[tuple[str, dt.date, dt.date]]:
    """Each term of the academic year starting `start` with its default-pattern dates."""
    return [(ref.term, *ref.window()) for ref in (TermRef(start, i) for i in range(3))]


# --------------------------------------------------------------------------------------
# Figures: key → (section, label, unit). Order is the order on the page.
# --------------------------------------------------------------------------------------

SECTIONS = {
    "peps": "PEPs",
    "qa": "Quality assurance outcomes",
    "attendance": "Attendance",
    "exclusions": "Suspensions and exclusions",
    "attainment": "Attainment",
    "post16": "Post-16",
    "sen": "Special educational needs",
    "ppplus": "Pupil Premium Plus",
}

FIGURES: dict[str, tuple[str, str]] = {
    "cohort": ("peps", "Children in care during the year"),
    "pep_approved": ("peps", "Had an approved PEP in the year (completion)"),
    "pep_every_term": ("peps", "Had a PEP meeting in every term in care (timeliness)"),
    "qa_green": ("qa", "Latest QA rating green"),
    "qa_amber": ("qa", "Latest QA rating amber"),
    "qa_red": ("qa", "Latest QA rating red"),
    "attendance": ("attendance", "Children with attendance recorded"),
    "persistent": ("attendance", "Persistent absence (below 90%)"),
    "severe": ("attendance", "Severe absence (below 50%)"),
    "suspended": ("exclusions", "Children suspended"),
    "excluded": ("exclusions", "Children permanently excluded"),
    "eyfs_assessed": ("attainment", "EYFS profile assessed"),
    "eyfs_expected": ("attainment", "EYFS good level of development"),
    "phonics_assessed": ("attainment", "Phonics check taken"),
    "phonics_expected": ("attainment", "Phonics check met"),
    "ks1_assessed": ("attainment", "Key stage 1 assessed"),
    "ks1_expected": ("attainment", "Key stage 1 at the expected standard"),
    "ks2_assessed": ("attainment", "Key stage 2 assessed"),
    "ks2_expected": ("attainment", "Key stage 2 at the expected standard"),
    "ks4_assessed": ("attainment", "GCSE results (actual grades)"),
    "ks4_em4": ("attainment", "Grade 4 or above in English and maths"),
    "post16_known": ("post16", "Years 12 and 13 with an EET status"),
    "neet": ("post16", "Years 12 and 13 not in education, employment or training (NEET)"),
    "sen_support": ("sen", "SEN support"),
    "ehcp": ("sen", "Education, health and care plan (EHCP)"),
    "pp_requested": ("ppplus", "Children with PP+ requested"),
    "pp_spent": ("ppplus", "Children with PP+ approved (spent)"),
    **{f"pp_{c.value}": ("ppplus", f"PP+ spent on {lower_first(c.label)}") for c in Category},
}

# A figure shown as a percentage of another (numerator → denominator).
PERCENT_OF = {
    "pep_approved": "cohort", "pep_every_term": "cohort",
    "persistent": "attendance", "severe": "attendance",
    "suspended": "cohort", "excluded": "cohort",
    "eyfs_expected": "eyfs_assessed", "phonics_expected": "phonics_assessed",
    "ks1_expected": "ks1_assessed", "ks2_expected": "ks2_assessed", "ks4_em4": "ks4_assessed",
    "neet": "post16_known", "sen_support": "cohort", "ehcp": "cohort",
}

FILTERS = ("school", "year_group", "key_stage", "phase", "area", "sen", "gender", "ethnicity", "cla12")


NO_SCHOOL = "No school recorded"


@dataclass(slots=True)
class ChildYear:
    """One child in one academic year: the facts the filters and figures read."""

    id: int
    name: str
    reference: str
    gender: str
    ethnicity: str
    school_id: int | None = None
    school_name: str = NO_SCHOOL
    in_area: bool | None = None
    year_group: int | None = None
    sen: str = SenStatus.Status.NONE
    cla12: bool = False
    present: int = 0
    possible: int = 0
    suspension_days: Decimal = Decimal(0)
    suspensions: int = 0
    exclusions: int = 0
    gcse_points: int = 0
    gcse_count: int = 0
    eet: str = ""
    qa: str = ""
    pp_requested: Decimal = Decimal(0)
    pp_spent: dict[str, Decimal] = field(default_factory=dict)

    @property
    def phase(self) -> str:
        return phase_for_year_group(self.year_group) or ""

    @property
    def key_stage(self) -> str:
        return key_stage(self.year_group)

    @property
    def attendance_percent(self) -> Decimal | None:
        return percent_of(self.present, self.possible) if self.possible else None

    @property
    def year_group_label(self) -> str:
        return YEAR_GROUP_LABELS.get(self.year_group, "Not recorded") if self.year_group is not None \
            else "Not recorded"

    @property
    def pp_spent_total(self) -> Decimal:
        return sum(self.pp_spent.values(), Decimal(0))

    @property
    def sen_label(self) -> str:
        return SEN_LABELS.get(self.sen, self.sen)


@dataclass
class YearFigures:
    start: int
    rows: dict[int, ChildYear]
    sets: dict[str, set[int]]
    allocation_per_child: Decimal | None
    financial_year: str

    @property
    def label(self) -> str:
        return academic_year_label(self.start)

    def count(self, key: str) -> int:
        return len(self.sets[key])

    def percent(self, key: str) -> int | None:
        base = PERCENT_OF.get(key)
        if base is None:
            return None
        n = len(self.sets[base])
        return round(100 * len(self.sets[key]) / n) if n else None

    # Measures that are not counts of children, each over the children of one figure.
    @property
    def average_attendance(self) -> Decimal | None:
        present = sum(self.rows[i].present for i in self.sets["attendance"])
        possible = sum(self.rows[i].possible for i in self.sets["attendance"])
        return percent_of(present, possible) if possible else None

    @property
    def suspension_days(self) -> Decimal:
        return sum((self.rows[i].suspension_days for i in self.sets["suspended"]), Decimal(0))

    @property
    def suspension_count(self) -> int:
        return sum(self.rows[i].suspensions for i in self.sets["suspended"])

    @property
    def ks4_average_grade(self) -> Decimal | None:
        points = sum(self.rows[i].gcse_points for i in self.sets["ks4_assessed"])
        n = sum(self.rows[i].gcse_count for i in self.sets["ks4_assessed"])
        return (Decimal(points) / n).quantize(Decimal("0.1")) if n else None

    @property
    def pp_allocated(self) -> Decimal | None:
        if self.allocation_per_child is None:
            return None
        return self.allocation_per_child * len(self.sets["cohort"])

    @property
    def pp_requested_total(self) -> Decimal:
        return sum((self.rows[i].pp_requested for i in self.sets["pp_requested"]), Decimal(0))

    def pp_spent_on(self, category: str) -> Decimal:
        return sum((self.rows[i].pp_spent.get(category, Decimal(0)) for i in self.sets[f"pp_{category}"]),
                   Decimal(0))

    @property
    def pp_spent_total(self) -> Decimal:
        return sum((self.rows[i].pp_spent_total for i in self.sets["pp_spent"]), Decimal(0))


@dataclass
class Report:
    years: list[YearFigures]  # the chosen year first, then the two before
    filters: dict[str, str]
    today: dt.date

    @property
    def year(self) -> YearFigures:
        return self.years[0]


# --------------------------------------------------------------------------------------
# Who sees reporting
# --------------------------------------------------------------------------------------

REPORTING_ROLES = (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN)


def may_see_reporting(user: User) -> bool:
    """The LA's Virtual School and its admins: reporting covers every child of the LA."""
    return user.is_authenticated and user.role in REPORTING_ROLES and user.local_authority_id is not None


def reporting_scope(user: User):
    """The LA's children the person may see (children_visible_to gives the Virtual School
    and LA admins every child of their own LA), never another LA's."""
    return children_visible_to(user).filter(local_authority_id=user.local_authority_id)


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


def care_periods(episodes: list[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """A child's continuous periods of care, earliest first, from their care episodes.

    SSDA903 splits a period of care into episodes at every change of placement or legal
    status, the next beginning on the day the last ceased: an episode that starts on (or
    before) the day the previous one ended continues its period. A day or more between
    them (left on the 3rd, back on the 4th or later) begins a new period."""
    periods: list[tuple[dt.date, dt.date | None]] = []
    for entered, left in sorted(episodes, key=lambda e: e[0]):
        if periods:
            began, ended = periods[-1]
            if ended is None or entered <= ended:
                periods[-1] = (began, None if ended is None or left is None else max(ended, left))
                continue
        periods.append((entered, left))
    return periods


def report_for(user: User, start_year: int, filters: dict[str, str] | None = None,
               today: dt.date | None = None) -> Report:
    today = today or timezone.localdate()
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v not in ("", None)}
    starts = [start_year - i for i in range(YEARS_SHOWN)]
    first, _ = academic_year_bounds(min(starts))
    _, last = academic_year_bounds(max(starts))
    years_text = [academic_year_label(s) for s in starts]
    year_of = dict(zip(years_text, starts, strict=True))
    scope = reporting_scope(user)
    ids = scope.values("pk")

    children = {pk: (f"{pref or fn} {ln}", ref, gender, eth) for pk, fn, ln, pref, ref, gender, eth in
                scope.values_list("pk", "first_name", "last_name", "preferred_name", "la_reference",
                                  "gender", "ethnicity").order_by("last_name", "first_name", "pk")}
    episodes: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for child_id, entered, left in CareEpisode.objects.filter(
            child__in=ids, entered_care_on__lte=last).order_by().values_list(
            "child_id", "entered_care_on", "left_care_on"):
        episodes[child_id].append((entered, left))
    care = {pk: care_periods(eps) for pk, eps in episodes.items()}
    # (started, ended, year group less the placement's first September, school, its name, in
    # area: the school is in the LA, which is every child's own here)
    placements: dict[int, list[tuple]] = defaultdict(list)
    for child_id, started, ended, yg, school_id, school_name, school_la in SchoolPlacement.objects.filter(
            child__in=ids, started_on__lte=last).values_list(
            "child_id", "started_on", "ended_on", "year_group", "school_id", "school__name",
            "school__local_authority_id").order_by("started_on", "pk"):
        placements[child_id].append((started, ended, yg - academic_year_start(started), school_id, school_name,
                                     school_la == user.local_authority_id))
    sen: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for child_id, starts_on, status in SenStatus.objects.filter(child__in=ids, starts_on__lte=last).values_list(
            "child_id", "starts_on", "status").order_by("starts_on", "pk"):
        sen[child_id].append((starts_on, status))
    eet: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    for child_id, starts_on, ends_on, status in EetStatus.objects.filter(
            child__in=ids, starts_on__lte=last).values_list(
            "child_id", "starts_on", "ends_on", "status").order_by("starts_on", "pk"):
        eet[child_id].append((starts_on, ends_on, status))
    by_year: dict[int, YearData] = {s: YearData() for s in starts}
    data_of = {label: by_year[s] for label, s in year_of.items()}
    attendance_of = {label: data.attendance for label, data in data_of.items()}
    qa_of = {label: data.qa for label, data in data_of.items()}
    # Attendance summed per child and year in SQL.
    for child_id, year, present, possible in Attendance.objects.filter(
            child__in=ids, academic_year__in=years_text).order_by().values("child_id", "academic_year").annotate(
            present=Sum("sessions_present"), possible=Sum("sessions_possible")).values_list(
            "child_id", "academic_year", "present", "possible"):
        attendance_of[year][child_id] = (present, possible)
    for row in Exclusion.objects.filter(child__in=ids, starts_on__range=(first, last)).order_by().values_list(
            "child_id", "starts_on", "kind", "length", "length_unit"):
        by_year[academic_year_start(row[1])].exclusions.append(row)
    for child_id, year, assessment, subject, result, grade_kind in Attainment.objects.filter(
            child__in=ids, academic_year__in=years_text,
            assessment__in=("eyfs", "phonics", "ks1", "ks2", "gcse")).values_list(
            "child_id", "academic_year", "assessment", "subject", "result", "grade_kind"):
        data_of[year].attainment.append((child_id, assessment, subject, result, grade_kind))
    # PEPs grouped per child and year in SQL: approved or not, and a meeting held in each term.
    held_in = {t: Count("pk", filter=Q(term=t, meeting_held_on__isnull=False)) for t in ("autumn", "spring", "summer")}
    for child_id, year, approved, autumn, spring, summer in (
        Pep.objects.filter(child__in=ids, academic_year__in=years_text)  # type: ignore[misc]  # annotate() names
        .order_by()
        .values("child_id", "academic_year")
        .annotate(approved=Count("pk", filter=Q(status=Pep.Status.APPROVED)), **held_in)
        .values_list("child_id", "academic_year", "approved", "autumn", "spring", "summer")
    ):
        data_of[year].peps.append((child_id, approved, autumn, spring, summer))
    for child_id, year, overall in QaReview.objects.filter(
            pep__child__in=ids, pep__academic_year__in=years_text).order_by(
            "created_at", "pk").values_list("pep__child_id", "pep__academic_year", "overall"):
        qa_of[year][child_id] = overall  # the last read is the latest
    fys = {s: f"{s}-{(s + 1) % 100:02d}" for s in starts}
    year_of_fy = {fy: s for s, fy in fys.items()}
    for child_id, fy, status, amount, approved_amount, category in PpPlusRequest.objects.filter(
            child__in=ids, financial_year__in=fys.values()).order_by().values_list(
            "child_id", "financial_year", "status", "amount", "approved_amount", "category"):
        by_year[year_of_fy[fy]].pp.append((child_id, status, amount, approved_amount, category))
    allocations = dict(PpPlusAllocation.objects.filter(
        local_authority_id=user.local_authority_id, financial_year__in=fys.values()).order_by().values_list(
        "financial_year", "amount_per_child"))

    years = [_year(s, today, children, care, placements, sen, eet, by_year[s], allocations.get(fys[s]), fys[s],
                   filters) for s in starts]
    return Report(years=years, filters=filters, today=today)


def report_cache_key(user: User, start_year: int, filters: dict[str, str], today: dt.date) -> str:
    """The LA (the scope of every person who may see reporting), year, filters and day;
    core.audit.cached_until_write adds the version of the data."""
    chosen = "&".join(f"{k}={v}" for k, v in sorted(filters.items()) if k in FILTERS and v)
    return f"quality:reporting:la{user.local_authority_id}:{start_year}:{today.isoformat()}:{chosen}"


@dataclass(frozen=True)
class YearHead:
    start: int
    label: str


@dataclass
class Summary:
    """What the reporting page, its print and its CSV show: small enough to cache (the
    report itself holds a row per child and year, and costs more to unpickle than to keep)."""

    years: list[YearHead]
    filters: dict[str, str]
    today: dt.date
    lines: list[Line]
    chart: dict
    cohort: int

    @property
    def year(self) -> YearHead:
        return self.years[0]


def summary_of(report: Report) -> Summary:
    return Summary(years=[YearHead(y.start, y.label) for y in report.years], filters=report.filters,
                   today=report.today, lines=lines(report), chart=chart_geometry(report),
                   cohort=report.year.count("cohort"))


def summary_cached(user: User, start_year: int, filters: dict[str, str] | None = None) -> Summary:
    """The page's figures, computed once per LA, year, filters, day and version of the data
    (any audited write makes the next request compute afresh), as the dashboard's are."""
    today = timezone.localdate()
    filters = filters or {}
    return cached_until_write(report_cache_key(user, start_year, filters, today) + ":summary",
                              lambda: summary_of(report_for(user, start_year, filters, today)),
                              local_authority_id=user.local_authority_id)


def children_cached(user: User, start_year: int, filters: dict[str, str], figure: str) -> tuple[Summary, list]:
    """A figure's children (and the page's heading figures), cached as summary_cached is."""
    today = timezone.localdate()
    key = report_cache_key(user, start_year, filters, today)

    def compute() -> tuple[Summary, list]:
        report = report_for(user, start_year, filters, today)
        return summary_of(report), children_behind(report.year, figure)

    return cached_until_write(f"{key}:children:{figure}", compute, local_authority_id=user.local_authority_id)


@dataclass
class YearData:
    """One academic year's rows of the per-year tables, read once for the three years."""

    attendance: dict[int, tuple[int, int]] = field(default_factory=dict)
    exclusions: list[tuple] = field(default_factory=list)
    attainment: list[tuple] = field(default_factory=list)
    peps: list[tuple] = field(default_factory=list)
    qa: dict[int, str] = field(default_factory=dict)
    pp: list[tuple] = field(default_factory=list)


NOTHING_RECORDED = (0, 0)
# Persistent and severe absence in tenths of a percent: percent_of() rounds to one decimal
# place half up, which for whole session counts is (2000 * present + possible) // (2 * possible).
PERSISTENT_TENTHS = int(PERSISTENT_ABSENCE_BELOW * 10)
SEVERE_TENTHS = int(SEVERE_ABSENCE_BELOW * 10)


def _year(start, today, children, care, placements, sen, eet, data: YearData, allocation, fy,
          filters) -> YearFigures:
    begin, end = academic_year_bounds(start)
    ref = min(end, today)
    march_before, march = dt.date(start, 3, 31), dt.date(start + 1, 3, 31)
    no_sen, attendance, qa = SenStatus.Status.NONE, data.attendance, data.qa
    sets: dict[str, set[int]] = {key: set() for key in FIGURES}
    qa_sets: dict[str, set[int]] = {rag.value: sets[f"qa_{rag.value}"] for rag in (Rag.GREEN, Rag.AMBER, Rag.RED)}
    attended, persistent, severe = sets["attendance"], sets["persistent"], sets["severe"]
    sen_support, ehcp, post16_known, neet = sets["sen_support"], sets["ehcp"], sets["post16_known"], sets["neet"]
    sen_support_status, ehcp_status, neet_status = (
        SenStatus.Status.SEN_SUPPORT.value, SenStatus.Status.EHCP.value, EetStatus.Status.NEET.value)
    rows: dict[int, ChildYear] = {}
    for pk, (name, reference, gender, ethnicity) in children.items():
        periods = care.get(pk)
        if periods is None:
            continue
        in_care = cla12 = False
        for s, e in periods:
            if s <= ref and (e is None or e >= begin):
                in_care = True
            # In care 12 months or more at 31 March: a continuous period of care begun on
            # or before 31 March of the year before and not ended before 31 March.
            if s <= march_before and (e is None or e >= march):
                cla12 = True
        if not in_care:
            continue
        # The placement open on the reference date, else the last one of the year.
        chosen = current = None
        for p in placements.get(pk, ()):
            if p[0] <= ref and (p[1] is None or p[1] >= begin):
                chosen = p
                if p[1] is None or p[1] >= ref:
                    current = p
        school_id, school_name, in_area, year_group = None, NO_SCHOOL, None, None
        if (placement := current or chosen) is not None:
            _s, _e, year_group, school_id, school_name, in_area = placement
            year_group += start
            if not -2 <= year_group <= 13:
                year_group = None
        status = no_sen
        for starts_on, stat in sen.get(pk, ()):  # by date: the last begun on or before ref
            if starts_on > ref:
                break
            status = stat
        eet_now = ""
        for starts_on, ends_on, stat in eet.get(pk, ()):
            if starts_on <= ref and (ends_on is None or ends_on >= ref):
                eet_now = stat
        present, possible = attendance.get(pk, NOTHING_RECORDED)
        row = ChildYear(pk, name, reference, gender, ethnicity, school_id, school_name, in_area, year_group, status,
                        cla12, present, possible, eet=eet_now, qa=qa.get(pk, ""))
        if filters and not _passes(row, filters):
            continue
        rows[pk] = row
        if row.qa in qa_sets:
            qa_sets[row.qa].add(pk)
        if possible:  # Sessions possible were recorded.
            attended.add(pk)
            tenths = (2000 * present + possible) // (2 * possible)
            if tenths < PERSISTENT_TENTHS:
                persistent.add(pk)
            if tenths < SEVERE_TENTHS:
                severe.add(pk)
        if status == sen_support_status:
            sen_support.add(pk)
        elif status == ehcp_status:
            ehcp.add(pk)
        if eet_now and year_group in (12, 13):
            post16_known.add(pk)
            if eet_now == neet_status:
                neet.add(pk)
    sets["cohort"] = set(rows)

    # PEPs: completion and a meeting in every term in care (each child of the year was in
    # care in at least one of its terms, so a child without a meeting in the year has none).
    windows = [(name, t0, min(t1, ref)) for name, t0, t1 in term_windows(start) if t0 <= ref]
    every_term = {name for name, _t0, _t1 in windows}
    approved_set, every_term_set = sets["pep_approved"], sets["pep_every_term"]
    for child_id, approved, autumn, spring, summer in data.peps:
        if child_id not in rows:
            continue
        if approved:
            approved_set.add(child_id)
        held = set()
        if autumn:
            held.add("autumn")
        if spring:
            held.add("spring")
        if summer:
            held.add("summer")
        if every_term <= held:
            every_term_set.add(child_id)
            continue
        due = set()
        for term, t0, t1 in windows:
            for e, left in care[child_id]:
                if e <= t1 and (left is None or left >= t0):
                    due.add(term)
                    break
        if due and due <= held:
            every_term_set.add(child_id)

    r: ChildYear | None  # The loops below look children up with rows.get().
    for child_id, _starts_on, kind, length, unit in data.exclusions:
        r = rows.get(child_id)
        if r is None:
            continue
        if kind == Exclusion.Kind.SUSPENSION:
            sets["suspended"].add(child_id)
            r.suspensions += 1
            days = Decimal(length or 0)
            r.suspension_days += days if unit == Exclusion.Unit.DAYS else days / 2
        else:
            sets["excluded"].add(child_id)
            r.exclusions += 1

    results: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for child_id, assessment, subject, result, grade_kind in data.attainment:
        if child_id not in rows:
            continue
        if assessment == "gcse" and grade_kind != Attainment.GradeKind.ACTUAL:
            continue
        results[(child_id, assessment)].append((subject, result))
    expected = {"eyfs": {"gld"}, "phonics": {"met"}, "ks1": {"exs", "gds"}, "ks2": {"exs", "gds"}}
    for (child_id, assessment), got in results.items():
        if assessment in expected:
            sets[f"{assessment}_assessed"].add(child_id)
            if all(result in expected[assessment] for _s, result in got):
                sets[f"{assessment}_expected"].add(child_id)
            continue
        r = rows[child_id]
        sets["ks4_assessed"].add(child_id)
        grades = {subject.lower(): _gcse_points(result) for subject, result in got}
        r.gcse_points = sum(grades.values())
        r.gcse_count = len(grades)
        english = max((g for s, g in grades.items() if "english" in s), default=0)
        maths = max((g for s, g in grades.items() if "math" in s), default=0)
        if english >= 4 and maths >= 4:
            sets["ks4_em4"].add(child_id)

    for child_id, status, amount, approved, category in data.pp:
        r = rows.get(child_id)
        if r is None:
            continue
        sets["pp_requested"].add(child_id)
        r.pp_requested += amount
        if status in PpPlusRequest.APPROVED_STATUSES and approved:
            sets["pp_spent"].add(child_id)
            sets[f"pp_{category}"].add(child_id)
            r.pp_spent[category] = r.pp_spent.get(category, Decimal(0)) + approved
    return YearFigures(start=start, rows=rows, sets=sets, allocation_per_child=allocation, financial_year=fy)


def _gcse_points(result: str) -> int:
    return int(result) if result.isdigit() else 0


def _passes(row: ChildYear, filters: dict[str, str]) -> bool:
    for key, value in filters.items():
        if key == "school" and str(row.school_id or "") != value:
            return False
        if key == "year_group" and str(row.year_group if row.year_group is not None else "") != value:
            return False
        if key == "key_stage" and row.key_stage != value:
            return False
        if key == "phase" and row.phase != value:
            return False
        if key == "area" and (row.in_area is None or row.in_area != (value == "in")):
            return False
        if key == "sen" and row.sen != value:
            return False
        if key == "gender" and row.gender != value:
            return False
        if key == "ethnicity" and row.ethnicity != value:
            return False
        if key == "cla12" and value == "yes" and not row.cla12:
            return False
    return True


def children_behind(figures: YearFigures, figure: str) -> list[ChildYear]:
    """The children a figure counts, by name (the order of the report's first query)."""
    ids = figures.sets[figure]
    return [row for pk, row in figures.rows.items() if pk in ids]


def filter_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    """The choices of the school and ethnicity filters: what the LA's children have."""
    scope = reporting_scope(user)
    schools = (SchoolPlacement.objects.filter(child__in=scope.values("pk")).order_by("school__name")
               .values_list("school_id", "school__name").distinct())
    ethnicities = scope.exclude(ethnicity="").order_by("ethnicity").values_list("ethnicity", flat=True).distinct()
    return {"school": [(str(pk), name) for pk, name in schools],
            "ethnicity": [(e, e) for e in ethnicities]}


# --------------------------------------------------------------------------------------
# The table of figures (page, print and CSV share it)
# --------------------------------------------------------------------------------------


@dataclass
class Line:
    section: str
    label: str
    figure: str | None  # the figure whose children are behind it (None: no list)
    values: list[str]  # one per year, the chosen year first


def _money(value: Decimal | None) -> str:
    return "Not set" if value is None else f"£{value:,.2f}"


def _num(value) -> str:
    return "–" if value is None else str(value)


def lines(report: Report) -> list[Line]:
    years = report.years
    out: list[Line] = []

    def counted(key: str) -> Line:
        section, label = FIGURES[key]
        values = []
        for y in years:
            pct = y.percent(key)
            values.append(f"{y.count(key)} ({pct}%)" if pct is not None else str(y.count(key)))
        return Line(SECTIONS[section], label, key, values)

    for key in ("cohort", "pep_approved", "pep_every_term", "qa_green", "qa_amber", "qa_red"):
        out.append(counted(key))
    out.append(Line(SECTIONS["attendance"], "Average attendance", "attendance",
                    [f"{_num(y.average_attendance)}%" if y.average_attendance is not None else "–" for y in years]))
    for key in ("attendance", "persistent", "severe", "suspended"):
        out.append(counted(key))
    out.append(Line(SECTIONS["exclusions"], "Suspensions", "suspended", [str(y.suspension_count) for y in years]))
    out.append(Line(SECTIONS["exclusions"], "Days lost to suspension", "suspended",
                    [f"{y.suspension_days.normalize():f}" for y in years]))
    out.append(counted("excluded"))
    for key in ("eyfs_assessed", "eyfs_expected", "phonics_assessed", "phonics_expected", "ks1_assessed",
                "ks1_expected", "ks2_assessed", "ks2_expected", "ks4_assessed"):
        out.append(counted(key))
    out.append(Line(SECTIONS["attainment"], "GCSE average grade", "ks4_assessed",
                    [_num(y.ks4_average_grade) for y in years]))
    out.append(counted("ks4_em4"))
    for key in ("post16_known", "neet", "sen_support", "ehcp"):
        out.append(counted(key))
    out.append(Line(SECTIONS["ppplus"], "PP+ allocated", "cohort", [_money(y.pp_allocated) for y in years]))
    out.append(Line(SECTIONS["ppplus"], "PP+ requested", "pp_requested",
                    [_money(y.pp_requested_total) for y in years]))
    out.append(Line(SECTIONS["ppplus"], "PP+ approved (spent)", "pp_spent", [_money(y.pp_spent_total) for y in years]))
    for c in Category:
        out.append(Line(SECTIONS["ppplus"], FIGURES[f"pp_{c.value}"][1], f"pp_{c.value}",
                        [_money(y.pp_spent_on(c.value)) for y in years]))
    return out


def csv_rows(summary: Summary) -> list[list[str]]:
    head = ["Section", "Figure"] + [y.label for y in summary.years]
    return [head] + [[line.section, line.label, *line.values] for line in summary.lines]


def child_csv_rows(rows: list[ChildYear]) -> list[list[str]]:
    out = [["Name", "LA reference", "School", "Year group", "SEN", "Attendance %"]]
    for r in rows:
        out.append([r.name, r.reference, r.school_name, r.year_group_label, SEN_LABELS.get(r.sen, r.sen),
                    "" if r.attendance_percent is None else str(r.attendance_percent)])
    return out


# The three years' bar colours, oldest to newest (attributes, not styles: the CSP and
# WeasyPrint both take SVG presentation attributes).
SHADES = ("#b1b4b6", "#5694ca", "#1d70b8")


def chart_geometry(report: Report) -> dict:
    """Bars of the headline percentages for the chosen year and the two before (SVG)."""
    series = [("pep_approved", "PEP completion"), ("pep_every_term", "PEP timeliness"),
              ("persistent", "Persistent absence"), ("ks4_em4", "GCSE grade 4+ English and maths"),
              ("neet", "NEET (Years 12–13)")]
    left, top, width, height = 40, 10, 560, 200
    group = width / len(series)
    years = list(reversed(report.years))  # oldest first, left to right
    bar = group * 0.8 / len(years)
    bars, groups = [], []
    for g, (key, label) in enumerate(series):
        words = label.split()
        half = (len(words) + 1) // 2
        groups.append({"label": label, "x": round(left + g * group + group / 2, 1),
                       "lines": [" ".join(words[:half]), " ".join(words[half:])]})
        for i, y in enumerate(years):
            pct = y.percent(key) or 0
            h = round(height * pct / 100, 1)
            bars.append({"x": round(left + g * group + group * 0.1 + i * bar, 1), "y": round(top + height - h, 1),
                         "width": round(bar * 0.9, 1), "height": h, "shade": i, "percent": pct,
                         "fill": SHADES[i % len(SHADES)],
                         "year": y.label, "label": label})
    gridlines = [{"value": v, "y": round(top + height - height * v / 100, 1)} for v in (0, 25, 50, 75, 100)]
    table = [{"label": label, "values": [y.percent(key) for y in years]} for key, label in series]
    return {"bars": bars, "groups": groups, "gridlines": gridlines, "left": left, "right": left + width,
            "base": top + height, "label_y": top + height + 14, "years": [y.label for y in years], "table": table,
            "keys": list(zip([y.label for y in years], SHADES, strict=False))}
