"""Reads about PEP deadlines, scoped to the person asking, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import LocalAuthority, User
from children.models import Child
from children.policies import children_visible_to
from core import calendar as school_calendar
from core.roles import Role

from . import status
from .engine import Deadline
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


STATUS_ORDER = {"overdue": 0, "due_soon": 1, "on_track": 2, "met": 3}


def _ordered(rows: list[Deadline]) -> list[Deadline]:
    return sorted(rows, key=lambda d: (STATUS_ORDER[d.status], d.due_on, d.child_ref, d.kind))


def deadlines_for_la(local_authority: LocalAuthority, *, today: dt.date | None = None) -> list[Deadline]:
    return _ordered(status.current(today=today, la_ids=[local_authority.pk]))


def deadline_scope(user: User) -> dict | None:
    """The LA (Virtual School, LA admin) or the children (everyone else) a person's
    deadlines cover, as `status.current` takes them; None for nobody's."""
    if not user.is_authenticated:
        return None
    if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN):
        return None if user.local_authority_id is None else {"la_ids": [user.local_authority_id]}
    return {"child_ids": children_visible_to(user).values("pk")}


def deadlines_for_user(user: User, *, today: dt.date | None = None, needs_action: bool = False) -> list[Deadline]:
    """The deadlines of every child the person may open (children_visible_to): the whole
    LA's for its Virtual School and admins. Read from the kept deadline status
    (deadlines.status), so no cache is needed."""
    scope = deadline_scope(user)
    if scope is None:
        return []
    return _ordered(status.current(today=today, needs_action=needs_action, **scope))


def deadlines_for_child(child: Child, *, today: dt.date | None = None) -> list[Deadline]:
    rows = status.current(today=today, la_ids=[child.local_authority_id], child_ids=[child.pk])
    return sorted(rows, key=lambda d: (d.due_on, d.kind))
