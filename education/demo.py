"""Demo education records: three years of attendance, exclusions, attainment (the EYFS profile
goal by goal for the children past Reception), SEN and EHCPs,
part-time timetables, alternative provision, school-move reasons and post-16 EET, for the
demo children (children.demo), written through the services. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import LocalAuthority, School, User
from children.models import Child
from core.calendar import TERM_NAMES, academic_year_label, academic_year_start

from . import services
from .models import (
    EYFS_GOALS,
    GLD_GOALS,
    Attainment,
    Attendance,
    EetStatus,
    Exclusion,
    EyfsLevel,
    SchoolMove,
    SenStatus,
    add_months,
)

# The sessions a term usually has (190 school days a year, two sessions a day).
TERM_SESSIONS = {"autumn": 140, "spring": 120, "summer": 120}
TERM_STARTS = {"autumn": (9, 4), "spring": (1, 6), "summer": (4, 22)}
PROGRESS = ["below", "working_towards", "at", "above"]


def _terms_so_far(today: dt.date, years: int = 3) -> list[tuple[str, str, dt.date]]:
    """(academic year, term, its first day) for the last `years` academic years, up to today's term."""
    rows = []
    first = academic_year_start(today) - (years - 1)
    for start in range(first, academic_year_start(today) + 1):
        for term in TERM_NAMES:
            month, day = TERM_STARTS[term]
            begins = dt.date(start if term == "autumn" else start + 1, month, day)
            if begins <= today:
                rows.append((academic_year_label(start), term, begins))
    return rows


def _attendance(rng, child, school, terms, level: float, today: dt.date) -> None:
    for year, term, begins in terms:
        possible = TERM_SESSIONS[term]
        if begins + dt.timedelta(days=60) > today:  # the current term so far
            possible = max(10, min(possible, ((today - begins).days * 10 // 7) // 1))
        rate = max(0.3, min(1.0, rng.gauss(level, 0.03)))
        present = int(possible * rate)
        absent = possible - present
        authorised = int(absent * rng.uniform(0.4, 0.9))
        services.attendance_save(actor=None, child=child, school=school, academic_year=year, term=term,
                                 half_term=Attendance.HalfTerm.WHOLE, sessions_possible=possible,
                                 sessions_present=present, sessions_authorised_absence=authorised,
                                 sessions_unauthorised_absence=absent - authorised)


def _termly(rng, child, terms, start_level: int) -> None:
    for subject, drift in (("English", 0), ("Maths", 1), ("Science", 0)):
        level = max(0, min(3, start_level + (drift if rng.random() < 0.5 else 0)))
        for year, term, _begins in terms:
            if rng.random() < 0.25:
                level = max(0, min(3, level + rng.choice([-1, 1])))
            services.attainment_save(actor=None, child=child, academic_year=year, term=term,
                                     assessment=Attainment.Assessment.TERMLY, subject=subject,
                                     result=PROGRESS[level])


def _eyfs_profile(rng, child, academic_year: str) -> None:
    """The EYFS profile at the end of Reception, goal by goal; about half reach a good
    level of development (worked out from the goals by the service)."""
    reached = rng.random() < 0.55
    goals: dict[str, Any] = {}
    for name, _label, _area in EYFS_GOALS:
        emerging = rng.random() < (0.1 if reached else 0.35)
        if reached and name in GLD_GOALS:
            emerging = False
        goals[name] = str(EyfsLevel.EMERGING if emerging else EyfsLevel.EXPECTED)
    if not reached and all(goals[name] == EyfsLevel.EXPECTED for name in GLD_GOALS):
        goals[GLD_GOALS[rng.randrange(len(GLD_GOALS))]] = EyfsLevel.EMERGING
    services.eyfs_profile_save(actor=None, child=child, academic_year=academic_year, school=None, **goals)


def _key_stage_results(rng, child, year_group: int, today: dt.date) -> None:
    """Statutory assessments the child has already taken (at the end of a past year group)."""
    start = academic_year_start(today)

    def year_of(past_year_group: int) -> str:
        y = start - (year_group - past_year_group) + 0
        return academic_year_label(y)

    def save(**fields) -> None:
        fields.setdefault("term", "summer")
        services.attainment_save(actor=None, child=child, **fields)

    if year_group >= 1:
        _eyfs_profile(rng, child, year_of(0))
    if year_group >= 2:
        save(academic_year=year_of(1), assessment="phonics", subject="Phonics",
             result="met" if rng.random() < 0.6 else "not_met")
    if year_group >= 5:
        save(academic_year=year_of(4), assessment="mtc", subject="Multiplication tables", score=rng.randint(12, 25))
    if year_group >= 7:
        for subject in ("Reading", "Maths"):
            score = rng.randint(92, 112)
            save(academic_year=year_of(6), assessment="ks2", subject=subject,
                 result="gds" if score >= 110 else "exs" if score >= 100 else "wts", score=score)
        save(academic_year=year_of(6), assessment="ks2", subject="Writing",
             result=rng.choice(["wts", "exs", "exs"]))
    if year_group in (10, 11):
        for subject in ("English language", "Maths", "Combined science"):
            target = rng.randint(4, 7)
            save(academic_year=year_of(11), assessment="gcse", subject=subject, result=str(target),
                 grade_kind="target")
            save(academic_year=year_of(year_group), term="spring", assessment="gcse", subject=subject,
                 result=str(max(1, target - rng.randint(0, 2))), grade_kind="predicted")
    if year_group >= 12:
        for subject in ("English language", "Maths"):
            save(academic_year=year_of(11), assessment="gcse", subject=subject, result=str(rng.randint(3, 7)),
                 grade_kind="actual")
        save(academic_year=year_of(12), assessment="post_16", subject="Engineering", result="in_progress",
             course="BTEC National Extended Diploma in Engineering", level="Level 3", qualification="BTEC")


def seed(la: LocalAuthority, schools: list[School], people: dict[str, User]) -> None:
    if Attendance.objects.filter(child__local_authority=la).exists():
        return
    rng = random.Random(1503)
    today = timezone.localdate()
    terms = _terms_so_far(today)
    children = list(Child.objects.filter(local_authority=la).order_by("la_reference"))
    for i, child in enumerate(children):
        placement = child.placements.filter(ended_on__isnull=True).select_related("school").first()
        if placement is None:
            continue
        school, year_group = placement.school, placement.year_group
        services.school_move_save(actor=None, placement=placement,
                                  reason=rng.choice([SchoolMove.Reason.CARE_PLACEMENT, SchoolMove.Reason.ENTERED_CARE,
                                                     SchoolMove.Reason.PHASE_TRANSFER]))
        # Children from Reception up have three years of attendance; some are persistently absent.
        level = 0.96 if i % 5 else (0.86 if i % 10 else 0.45)
        if year_group >= 0:
            _attendance(rng, child, school, terms, level, today)
            _termly(rng, child, terms, start_level=[1, 2, 2, 3][i % 4])
            _key_stage_results(rng, child, year_group, today)
        # SEN: most none, some SEN support, a few with an EHCP kept by this or another LA.
        first_day = terms[0][2]
        if i % 6 == 0:
            plan_start = first_day - dt.timedelta(days=200)
            last_review = add_months(plan_start, 12 * (1 + (today - plan_start).days // 400))
            if last_review > today:
                last_review = add_months(last_review, -12)
            services.sen_status_save(actor=None, child=child, status=SenStatus.Status.SEN_SUPPORT,
                                     starts_on=plan_start - dt.timedelta(days=300), primary_need="SLCN")
            services.sen_status_save(actor=None, child=child, status=SenStatus.Status.EHCP, starts_on=plan_start,
                                     primary_need=rng.choice(["ASD", "SEMH", "SLCN", "MLD"]),
                                     ehcp_started_on=plan_start, maintaining_la=la,
                                     last_annual_review_on=last_review if last_review > plan_start else None)
        elif i % 3 == 0:
            services.sen_status_save(actor=None, child=child, status=SenStatus.Status.SEN_SUPPORT,
                                     starts_on=first_day, primary_need=rng.choice(["SPLD", "SEMH", "NSA"]))
        else:
            services.sen_status_save(actor=None, child=child, status=SenStatus.Status.NONE, starts_on=first_day)
        # Suspensions for a few, and one permanent exclusion.
        if 0 <= year_group <= 11 and i % 4 == 1:
            for n in range(1 + i % 3):
                day = today - dt.timedelta(days=40 + 190 * n + i)
                services.exclusion_save(actor=None, child=child, school=school, kind=Exclusion.Kind.SUSPENSION,
                                        starts_on=day, length=Decimal(1 + n), length_unit=Exclusion.Unit.DAYS,
                                        reason=rng.choice(["PD", "VA", "PP", "DM"]),
                                        notes="Demo: reintegration meeting held with the carer.")
        if i == 17:
            services.exclusion_save(actor=None, child=child, school=school, kind=Exclusion.Kind.PERMANENT,
                                    starts_on=today - dt.timedelta(days=700), length=None,
                                    length_unit=Exclusion.Unit.DAYS, reason="PA",
                                    notes="Demo: before the current school; the move followed it.")
        if i == 11:  # a part-time timetable past its review date (on the deadlines list)
            services.part_time_timetable_save(actor=None, child=child, school=school,
                                              starts_on=today - dt.timedelta(days=50), ends_on=None,
                                              hours_per_week=Decimal("15"), review_on=today - dt.timedelta(days=8),
                                              reason="Demo: anxiety on return after a placement move; building up "
                                                     "to full time by half term.")
            services.alternative_provision_save(actor=None, child=child, provider="The Bridge Learning Centre",
                                                hours_per_week=Decimal("6"), starts_on=today - dt.timedelta(days=45),
                                                ends_on=None)
        if year_group >= 12:
            start = dt.date(academic_year_start(today) - (year_group - 12), 9, 1)
            # Year 13s started two Septembers ago; a Year 12's first term is still short.
            neet_from = min(start + dt.timedelta(days=120), start + (today - start) / 2)
            services.eet_status_save(actor=None, child=child, status=EetStatus.Status.EDUCATION, starts_on=start,
                                     ends_on=neet_from - dt.timedelta(days=1), provider=school.name,
                                     personal_adviser="Pat Adviser", pathway_plan_reviewed_on=start)
            if i % 2:
                back = neet_from + min(dt.timedelta(days=75), (today - neet_from) / 2)
                services.eet_status_save(actor=None, child=child, status=EetStatus.Status.NEET, starts_on=neet_from,
                                         ends_on=back - dt.timedelta(days=1), provider="",
                                         personal_adviser="Pat Adviser", pathway_plan_reviewed_on=neet_from)
                if back <= today:
                    services.eet_status_save(actor=None, child=child, status=EetStatus.Status.TRAINING,
                                             starts_on=back, ends_on=None, provider="Midshire Apprenticeships",
                                             personal_adviser="Pat Adviser", pathway_plan_reviewed_on=back)
            else:
                services.eet_status_save(actor=None, child=child, status=EetStatus.Status.EDUCATION,
                                         starts_on=neet_from, ends_on=None, provider=school.name,
                                         personal_adviser="Pat Adviser", pathway_plan_reviewed_on=neet_from)
