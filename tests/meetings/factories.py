"""PEPs, meetings and times for the meetings and targets tests, built directly (not through the
peps services) so these tests do not depend on the PEP workflow's own rules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from children.models import Phase
from peps.models import Pep, Section

LONDON = ZoneInfo("Europe/London")

DEFAULT_SECTIONS = [
    ("A", "Care and contacts", ["social_worker"]),
    ("B", "Education", ["designated_teacher"]),
    ("C", "My views", ["young_person", "designated_teacher"]),
    ("D", "Carer's views", ["carer"]),
    ("E", "Meeting, targets and sign-off", ["designated_teacher", "virtual_school"]),
]


def make_pep(child, *, status: str = Pep.Status.DRAFT, kind: str = Pep.Kind.TERMLY, phase: str = Phase.SCHOOL_AGE,
             previous: Pep | None = None, school=None, created_at: dt.datetime | None = None,
             meeting_held_on: dt.date | None = None, academic_year: str = "2026/27", term: str = "autumn") -> Pep:
    if school is None:
        placement = child.placements.filter(ended_on__isnull=True).first()
        school = placement.school if placement else None
    pep = Pep.objects.create(child=child, kind=kind, phase=phase, academic_year=academic_year, term=term,
                             status=status, previous=previous, school=school,
                             created_at=created_at or timezone.now(), meeting_held_on=meeting_held_on)
    Section.objects.bulk_create(Section(pep=pep, letter=letter, title=title, editor_roles=roles)
                                for letter, title, roles in DEFAULT_SECTIONS)
    return pep


def london(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def last_sunday_of_march(year: int) -> dt.date:
    day = dt.date(year, 3, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def clock_change_dates() -> tuple[dt.date, dt.date, dt.date]:
    """(a GMT day, the spring clock change, a BST day) next year, so they are always in the future.

    In 2027 these are 18 March (GMT), 28 March (the change) and 1 April (BST).
    """
    year = timezone.localdate().year + 1
    change = last_sunday_of_march(year)
    return change - dt.timedelta(days=10), change, change + dt.timedelta(days=4)
