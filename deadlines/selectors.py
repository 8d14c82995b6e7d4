"""Reads about PEP deadlines, scoped to the person asking, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import LocalAuthority, User
from children.models import Child
from children.policies import children_visible_to
from core import calendar as school_calendar
from core.audit import cached_until_write
from core.roles import Role

from .engine import Deadline, compute_deadlines, record_deadlines
from .models import DayOff, DeadlineSettings, TermDates

# Roles whose home page shows a deadlines panel (the people who organise PEP meetings).
PROFESSIONAL_ROLES = frozenset({Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL})


def term_dates_for(local_authority: LocalAuthority) -> QuerySet[TermDates]:
    return TermDates.objects.filter(local_authority=local_authority).order_by("starts_on")


def calendar_for(local_authority: LocalAuthority) -> school_calendar.SchoolCalendar:
    """The LA's school calendar, INSET and closure days included (two queries)."""
    days_off = DayOff.objects.filter(local_authority=local_authority).values_list("day", flat=True)
    return school_calendar.SchoolCalendar((row.as_term() for row in term_dates_for(local_authority)), days_off)


def deadline_settings_for(local_authority: LocalAuthority) -> DeadlineSettings:
    """The LA's settings, or the defaults (unsaved) when it has never changed them."""
    return (DeadlineSettings.objects.filter(local_authority=local_authority).first()
            or DeadlineSettings(local_authority=local_authority))


def _ordered(rows: list[Deadline]) -> list[Deadline]:
    order = {"overdue": 0, "due_soon": 1, "on_track": 2, "met": 3}
    return sorted(rows, key=lambda d: (order[d.status], d.due_on, d.child_ref, d.kind))


def deadlines_for_la(local_authority: LocalAuthority, *, today: dt.date | None = None) -> list[Deadline]:
    return _ordered(compute_deadlines(today=today, la_ids=[local_authority.pk])
                    + record_deadlines(today=today, la_ids=[local_authority.pk]))


def deadlines_for_user(user: User, *, today: dt.date | None = None) -> list[Deadline]:
    """The deadlines of every child the person may open (children_visible_to)."""
    if not user.is_authenticated:
        return []
    if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN):
        if user.local_authority_id is None:
            return []
        # The whole LA's deadlines, shared by its Virtual School and admins (home page and
        # deadline list), computed once per day and version of the LA's data.
        day = today or timezone.localdate()
        la_id = user.local_authority_id
        return cached_until_write(f"timeliness:deadlines:la{la_id}:{day.isoformat()}",
                                  lambda: _ordered(compute_deadlines(today=day, la_ids=[la_id])
                                                   + record_deadlines(today=day, la_ids=[la_id])),
                                  local_authority_id=la_id)
    visible = children_visible_to(user).values("pk")
    return _ordered(compute_deadlines(today=today, child_ids=visible)
                    + record_deadlines(today=today, child_ids=visible))


def deadlines_for_child(child: Child, *, today: dt.date | None = None) -> list[Deadline]:
    today = today or timezone.localdate()
    rows = (compute_deadlines(today=today, child_ids=[child.pk])
            + record_deadlines(today=today, child_ids=[child.pk]))
    return sorted(rows, key=lambda d: (d.due_on, d.kind))
