"""Reads of the education record: the record page, section B's figures, the deadlines.

Every read is a fixed number of queries, whatever the number of terms recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from children.models import CareEpisode, Child, SchoolPlacement
from core.calendar import academic_year_bounds, term_order

from .models import (
    AlternativeProvision,
    Attainment,
    Attendance,
    EetStatus,
    Exclusion,
    EyfsProfile,
    PartTimeTimetable,
    SenStatus,
    absence_flag,
    add_months,
    percent_of,
    plain_number,
)


@dataclass
class YearAttendance:
    academic_year: str
    possible: int = 0
    present: int = 0
    rows: list[Attendance] = field(default_factory=list)

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.present, self.possible) if self.possible else None

    @property
    def flag(self) -> str:
        return absence_flag(self.percent)


@dataclass
class EducationRecord:
    child: Child
    attendance_years: list[YearAttendance]
    exclusions: list[Exclusion]
    part_time: list[PartTimeTimetable]
    alternative_provision: list[AlternativeProvision]
    sen: list[SenStatus]
    attainment: list[Attainment]
    placements: list[SchoolPlacement]
    eet: list[EetStatus]
    eyfs: list[EyfsProfile]

    @property
    def current_sen(self) -> SenStatus | None:
        return self.sen[0] if self.sen else None


def education_record_of(child: Child) -> EducationRecord:
    """The whole record of one child: ten queries, however many terms it holds."""
    years: dict[str, YearAttendance] = {}
    for row in Attendance.objects.filter(child=child).select_related("school"):
        year = years.setdefault(row.academic_year, YearAttendance(row.academic_year))
        year.rows.append(row)
        year.possible += row.sessions_possible
        year.present += row.sessions_present
    for year in years.values():
        year.rows.sort(key=lambda r: (term_order(r.academic_year, r.term), r.half_term))
    return EducationRecord(
        child=child,
        attendance_years=sorted(years.values(), key=lambda y: y.academic_year, reverse=True),
        exclusions=list(Exclusion.objects.filter(child=child).select_related("school")),
        part_time=list(PartTimeTimetable.objects.filter(child=child).select_related("school")),
        alternative_provision=list(AlternativeProvision.objects.filter(child=child)),
        sen=list(SenStatus.objects.filter(child=child).select_related("maintaining_la")),
        attainment=sorted(Attainment.objects.filter(child=child),
                          key=lambda a: (term_order(a.academic_year, a.term), a.assessment, a.subject), reverse=True),
        placements=list(SchoolPlacement.objects.filter(child=child).select_related("school", "move")
                        .order_by("-started_on")),
        eet=list(EetStatus.objects.filter(child=child)),
        eyfs=list(EyfsProfile.objects.filter(child=child).select_related("school")),
    )


def academic_year_window(academic_year: str) -> tuple[dt.date, dt.date]:
    return academic_year_bounds(int(academic_year[:4]))


@dataclass
class TermFigures:
    """What the record says for a PEP's term (section B's pre-fill and the change since the last PEP)."""

    academic_year: str
    term: str
    attendance_percent: Decimal | None = None  # the academic year to the end of this term
    attendance_possible: int = 0
    term_sessions: dict[str, int] | None = None  # this term's whole-term row, if any
    suspensions: int = 0
    suspension_days: Decimal = Decimal(0)
    permanent_exclusions: int = 0
    exclusions_recorded: bool = False
    part_time: bool = False
    part_time_recorded: bool = False
    alternative_provision: str = ""
    sen_status: str | None = None
    termly: dict[str, str] = field(default_factory=dict)  # subject -> result, latest up to this term


def term_figures(child: Child, academic_year: str, term: str, *, on: dt.date | None = None) -> TermFigures:
    """The record's figures for one term: five queries."""
    figures = TermFigures(academic_year, term)
    upto = term_order(academic_year, term)
    start, end = academic_year_window(academic_year)
    on = on or min(end, dt.date.today())
    possible = present = 0
    for row in Attendance.objects.filter(child=child, academic_year=academic_year):
        if term_order(row.academic_year, row.term) <= upto:
            possible += row.sessions_possible
            present += row.sessions_present
        if row.term == term and row.half_term == Attendance.HalfTerm.WHOLE:
            figures.term_sessions = {name: getattr(row, name) for name in (
                "sessions_possible", "sessions_present", "sessions_authorised_absence",
                "sessions_unauthorised_absence")}
    if possible:
        figures.attendance_possible = possible
        figures.attendance_percent = percent_of(present, possible)
    exclusions = list(Exclusion.objects.filter(child=child, starts_on__range=(start, end)))
    figures.exclusions_recorded = Exclusion.objects.filter(child=child).exists() or bool(exclusions)
    for e in exclusions:
        if e.kind == Exclusion.Kind.SUSPENSION:
            figures.suspensions += 1
            figures.suspension_days += e.days
        else:
            figures.permanent_exclusions += 1
    timetables = list(PartTimeTimetable.objects.filter(child=child, starts_on__lte=on))
    figures.part_time_recorded = bool(timetables)
    figures.part_time = any(t.ends_on is None or t.ends_on >= on for t in timetables)
    provision = [p for p in AlternativeProvision.objects.filter(child=child, starts_on__lte=on)
                 if p.ends_on is None or p.ends_on >= on]
    figures.alternative_provision = "; ".join(
        f"{p.provider}, {plain_number(p.hours_per_week)} hours a week" for p in provision)
    sen = SenStatus.objects.filter(child=child, starts_on__lte=on).order_by("-starts_on", "-pk").first()
    figures.sen_status = sen.status if sen else None
    latest: dict[str, tuple] = {}
    for a in Attainment.objects.filter(child=child, assessment=Attainment.Assessment.TERMLY).order_by("pk"):
        key = term_order(a.academic_year, a.term)
        if key <= upto and (a.subject not in latest or key >= latest[a.subject][0]):
            latest[a.subject] = (key, a.result)
    figures.termly = {subject: result for subject, (_k, result) in latest.items()}
    return figures


def latest_eyfs_profile(child: Child) -> EyfsProfile | None:
    """The child's latest EYFS profile (section B of an early-years PEP): one query."""
    return EyfsProfile.objects.filter(child=child).select_related("school").order_by("-academic_year", "-pk").first()


# ---- deadlines beside the PEP ones ----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDue:
    child: Child
    kind: str  # "part_time_review" or "ehcp_review"
    due_on: dt.date
    ident: str
    detail: str

    @property
    def child_id(self) -> int:
        return self.child.pk


def reviews_due(*, la_ids: Iterable[int] | None = None, child_ids=None, today: dt.date) -> list[ReviewDue]:
    """Open part-time timetables' agreed reviews and EHCP annual reviews: two queries."""
    # Children still in care, as the PEP deadlines (deadlines.engine) count them.
    scope = Q(Exists(CareEpisode.objects.filter(child=OuterRef("child_id"), left_care_on__isnull=True)))
    if la_ids is not None:
        scope &= Q(child__local_authority_id__in=list(la_ids))
    if child_ids is not None:
        scope &= Q(child_id__in=child_ids)
    rows: list[ReviewDue] = []
    for t in (PartTimeTimetable.objects.filter(scope, ends_on__isnull=True).select_related("school", "child")
              .order_by()):
        rows.append(ReviewDue(t.child, "part_time_review", t.review_on, f"pt{t.pk}",
                              f"{plain_number(t.hours_per_week)} hours a week at {t.school.name} "
                              f"since {t.starts_on:%-d %B %Y}"))
    latest: dict[int, SenStatus] = {}
    for s in SenStatus.objects.filter(scope).select_related("child").order_by("child_id", "-starts_on", "-pk"):
        latest.setdefault(s.child_id, s)
    for s in latest.values():
        due = s.review_due_on
        if due is not None:
            last = s.last_annual_review_on
            detail = f"last review {last:%-d %B %Y}" if last else f"plan started {s.ehcp_started_on:%-d %B %Y}"
            rows.append(ReviewDue(s.child, "ehcp_review", due, f"ehcp{s.pk}", detail))
    return rows


def by_child(rows):
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.child_id].append(row)
    return grouped


__all__ = ["add_months", "education_record_of", "term_figures", "reviews_due"]
