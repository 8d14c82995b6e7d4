"""Builders for education-record tests: records written through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from education import services
from education.models import EYFS_GOALS, Attainment, Exclusion, EyfsLevel, SenStatus


def attendance(child, school, *, year="2025/26", term="autumn", possible=120, present=110, authorised=6,
               unauthorised=None, half_term=0, actor=None):
    unauthorised = possible - present - authorised if unauthorised is None else unauthorised
    return services.attendance_save(actor=actor, child=child, school=school, academic_year=year, term=term,
                                    half_term=half_term, sessions_possible=possible, sessions_present=present,
                                    sessions_authorised_absence=authorised,
                                    sessions_unauthorised_absence=unauthorised)


def exclusion(child, school, *, on=dt.date(2025, 11, 3), kind=Exclusion.Kind.SUSPENSION, days="2", reason="PD",
              actor=None):
    return services.exclusion_save(actor=actor, child=child, school=school, kind=kind, starts_on=on,
                                   length=Decimal(days) if days else None, length_unit=Exclusion.Unit.DAYS,
                                   reason=reason, notes="Threw a chair in science.")


def ehcp(child, la, *, starts=dt.date(2024, 1, 10), last=dt.date(2025, 1, 15), actor=None):
    return services.sen_status_save(actor=actor, child=child, status=SenStatus.Status.EHCP, starts_on=starts,
                                    primary_need="ASD", ehcp_started_on=starts, maintaining_la=la,
                                    last_annual_review_on=last, next_annual_review_on=None)


def termly(child, subject="English", result="at", *, year="2025/26", term="autumn", actor=None):
    return services.attainment_save(actor=actor, child=child, academic_year=year, term=term,
                                    assessment=Attainment.Assessment.TERMLY, subject=subject, result=result,
                                    score=None, grade_kind="", course="", level="", qualification="")


def thirty_terms(child, school):
    """Ten academic years of three terms: attendance, a suspension and a result each term."""
    for i in range(10):
        year = f"{2015 + i}/{(16 + i) % 100:02d}"
        for term in ("autumn", "spring", "summer"):
            attendance(child, school, year=year, term=term)
            termly(child, "Maths", "at", year=year, term=term)
        exclusion(child, school, on=dt.date(2015 + i, 10, 5))


def eyfs_goals(level=EyfsLevel.EXPECTED, **overrides) -> dict[str, str]:
    """All 17 early learning goals at `level`, with some set otherwise."""
    return {**{name: level for name, _label, _area in EYFS_GOALS}, **overrides}


def eyfs_profile(child, *, year="2020/21", actor=None, school=None, **overrides):
    return services.eyfs_profile_save(actor=actor, child=child, academic_year=year, school=school,
                                      **eyfs_goals(**overrides))
