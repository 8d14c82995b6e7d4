"""Demo term dates (this academic year and the next), deadline settings and one concern
request. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from children.models import Child
from core.calendar import academic_year_label, academic_year_start

from . import services
from .models import ConcernRequest, DeadlineSettings, TermDates

HEADER = "academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on"
# A typical English LA's pattern (the shared example file), kept here so the code never
# reads files outside the project at run time.
EXAMPLE_TERM_DATES = """\
2025/26,autumn,2025-09-03,2025-12-19,2025-10-27,2025-10-31
2025/26,spring,2026-01-05,2026-03-27,2026-02-16,2026-02-20
2025/26,summer,2026-04-13,2026-07-22,2026-05-25,2026-05-29
2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30
2026/27,spring,2027-01-04,2027-03-25,2027-02-15,2027-02-19
2026/27,summer,2027-04-12,2027-07-21,2027-05-31,2027-06-04
2027/28,autumn,2027-09-01,2027-12-17,2027-10-25,2027-10-29
2027/28,spring,2028-01-04,2028-04-07,2028-02-14,2028-02-18
2027/28,summer,2028-04-24,2028-07-21,2028-05-29,2028-06-02
"""


def _shifted(line: str, years: int) -> str:
    """A row moved by whole weeks close to ``years`` years, so terms still start on the same weekday."""
    year, term, *dates = line.split(",")
    shift = dt.timedelta(weeks=round(years * 365.25 / 7))
    moved = [(dt.date.fromisoformat(d) + shift).isoformat() for d in dates]
    return ",".join([academic_year_label(int(year[:4]) + years), term, *moved])


def term_dates_csv(first_years: list[int]) -> str:
    """The example pattern for the given academic years (moved by whole weeks beyond 2027/28)."""
    rows: dict[str, list[str]] = {line.split(",")[0]: [] for line in EXAMPLE_TERM_DATES.splitlines()}
    for line in EXAMPLE_TERM_DATES.splitlines():
        rows[line.split(",")[0]].append(line)
    out = [HEADER]
    for first in first_years:
        wanted = academic_year_label(first)
        if wanted in rows:
            out.extend(rows[wanted])
        else:
            base = 2027 if first > 2027 else 2025
            out.extend(_shifted(line, first - base) for line in rows[academic_year_label(base)])
    return "\n".join(out) + "\n"


def seed(la, schools, people: dict[str, User]) -> None:
    today = timezone.localdate()
    first = academic_year_start(today)
    wanted = [first, first + 1]
    loaded = set(TermDates.objects.filter(local_authority=la).values_list("academic_year", flat=True))
    missing = [year for year in wanted if academic_year_label(year) not in loaded]
    if missing:
        services.term_dates_import(actor=None, local_authority=la, text=term_dates_csv(missing))
    # Brook Lane Primary "requires improvement": the demo LA asks for half-termly PEPs there.
    DeadlineSettings.objects.get_or_create(local_authority=la, defaults={"half_termly_for_ri_schools": True})
    child = Child.objects.filter(local_authority=la, la_reference="DEMO0005").first()
    if child is not None and not ConcernRequest.objects.filter(child=child).exists():
        services.concern_request_create(
            actor=people["sw@demo.test"], child=child,
            reason="Two fixed-term suspensions this half-term; the carer is worried about the move to secondary.",
            requested_on=today - dt.timedelta(days=3),
        )
