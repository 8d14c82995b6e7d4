"""Every write about PEP deadlines. Each service writes exactly one audit event."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import LocalAuthority, User
from children.models import Child, ChildUserObjectPermission, TeamMembership
from children.policies import VIEW_PERMISSION
from core import calendar as school_calendar
from core.audit import Verb, audit_record, diff, snapshot
from core.bulk import copy_insert
from core.notifications import Email, outbox_enqueue, outbox_enqueue_many
from core.roles import Role
from core.text_limits import require_text_limits

from . import status as deadline_status
from .engine import Deadline, Status
from .models import ConcernRequest, DayOff, DeadlineSettings, Notice, TermDates

log = logging.getLogger(__name__)

TERM_FIELDS = ("academic_year", "term", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on")
SETTINGS_FIELDS = ("count_school_days", "half_termly_for_ri_schools", "post16_pattern")
# Team links whose people get the daily digest. Carers, young people and read-only members
# are not sent it: organising the PEP meeting is the professionals' job.
DIGEST_TEAM_ROLES = (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL)
# A digest lists at most this many deadlines per section and links to the rest.
DIGEST_MAX_ITEMS = 100
# Any constant: flag_overdue holds this PostgreSQL advisory lock for its transaction, so
# two runs (beat firing twice, a redelivered message) never interleave.
FLAG_OVERDUE_LOCK = 6_062_026


# --------------------------------------------------------------------------------------
# Term dates and settings
# --------------------------------------------------------------------------------------


def _overlap_problems(local_authority: LocalAuthority, terms: list[school_calendar.Term],
                      replacing: set[int] | None = None) -> list[str]:
    """Problems with the LA's calendar once ``terms`` are added to (or replace) its rows."""
    replacing = replacing or set()
    keys = {(t.academic_year, t.name) for t in terms}
    kept = [row.as_term() for row in TermDates.objects.filter(local_authority=local_authority)
            if row.pk not in replacing and (row.academic_year, row.term) not in keys]
    problems = []
    for new in terms:
        for old in kept:
            if new.starts_on <= old.ends_on and old.starts_on <= new.ends_on:
                problems.append(f"the {new.label} term ({new.starts_on} to {new.ends_on}) overlaps the "
                                f"{old.label} term already loaded ({old.starts_on} to {old.ends_on})")
    return problems


def term_dates_import(*, actor: User | None, local_authority: LocalAuthority, text: str) -> list[TermDates]:
    """Load an LA's term dates from CSV: every row or none (TermDatesError lists each problem).

    A term already loaded for the same academic year is replaced by the file's dates; the
    file's INSET and closure days are added (core.calendar.parse_calendar_csv).
    """
    terms, days_off = school_calendar.parse_calendar_csv(text)
    return calendar_import(actor=actor, local_authority=local_authority, terms=terms, days_off=days_off)


@transaction.atomic
def calendar_import(*, actor: User | None, local_authority: LocalAuthority, terms: list[school_calendar.Term],
                    days_off: Sequence[school_calendar.DayOffSpan] = ()) -> list[TermDates]:
    """Load terms and INSET/closure days already read (from CSV or iCalendar): all or none.

    One audit event; none when the terms and days are exactly those already loaded.
    """
    problems = _overlap_problems(local_authority, terms)
    if problems:
        raise school_calendar.TermDatesError([(0, problem) for problem in problems])
    saved, created, updated = [], 0, 0
    stored = {(r.academic_year, r.term): r for r in TermDates.objects.filter(local_authority=local_authority)}
    for term in terms:
        values = {"starts_on": term.starts_on, "ends_on": term.ends_on,
                  "half_term_starts_on": term.half_term_starts_on, "half_term_ends_on": term.half_term_ends_on}
        row = stored.get((term.academic_year, term.name))
        if row is None:
            row = TermDates.objects.create(local_authority=local_authority, academic_year=term.academic_year,
                                           term=term.name, **values)
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
            updated += 1
        saved.append(row)
    known = dict(DayOff.objects.filter(local_authority=local_authority).values_list("day", "kind"))
    days_added = 0
    for span in days_off:
        for day in span.days():
            if known.get(day) != span.kind:
                DayOff.objects.update_or_create(local_authority=local_authority, day=day,
                                                defaults={"kind": span.kind, "description": span.description})
                known[day] = span.kind
                days_added += 1
    if created or updated or days_added:
        audit_record(actor=actor, verb=Verb.IMPORTED, object_type="timeliness.termdates",
                     object_id=local_authority.code, local_authority_id=local_authority.pk,
                     changes={"terms": [t.label for t in terms], "created": created, "updated": updated,
                              "days_off": days_added})
    return saved


@transaction.atomic
def term_dates_save(*, actor: User, local_authority: LocalAuthority, term_dates: TermDates | None = None,
                    **fields) -> TermDates:
    """Add a term or change one; refuses an impossible or overlapping term (ValidationError)."""
    row = term_dates or TermDates(local_authority=local_authority)
    before = snapshot(row, TERM_FIELDS) if term_dates else {}
    for name in TERM_FIELDS:
        if name in fields:
            setattr(row, name, fields[name])
    try:
        term = row.as_term()
    except (ValueError, TypeError) as exc:
        raise ValidationError(str(exc)) from exc
    problems = _overlap_problems(local_authority, [term], replacing={row.pk} if row.pk else set())
    if problems:
        raise ValidationError(problems)
    duplicate = TermDates.objects.filter(local_authority=local_authority, academic_year=row.academic_year,
                                         term=row.term).exclude(pk=row.pk)
    if duplicate.exists():
        raise ValidationError(f"The {term.label} term is already loaded: change that one instead")
    row.save()
    audit_record(actor=actor, verb=Verb.UPDATED if term_dates else Verb.CREATED, obj=row,
                 local_authority_id=local_authority.pk, changes=diff(before, snapshot(row, TERM_FIELDS)))
    return row


@transaction.atomic
def deadline_settings_update(*, actor: User, local_authority: LocalAuthority, **fields) -> DeadlineSettings:
    row, _ = DeadlineSettings.objects.get_or_create(local_authority=local_authority)
    before = snapshot(row, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in fields:
            setattr(row, name, fields[name])
    row.full_clean()
    row.save()
    audit_record(actor=actor, verb=Verb.UPDATED, obj=row, local_authority_id=local_authority.pk,
                 changes=diff(before, snapshot(row, SETTINGS_FIELDS)))
    return row


# --------------------------------------------------------------------------------------
# Concern reviews
# --------------------------------------------------------------------------------------


@transaction.atomic
def concern_request_create(*, actor: User, child: Child, reason: str,
                           requested_on: dt.date | None = None) -> ConcernRequest:
    """Record a request for a concern review (due in 10 working days) and tell the Virtual School.

    The email names no child and no reason: it links to the record, where access is checked.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why you are asking for a concern review"})
    require_text_limits(ConcernRequest, reason=reason)
    request = ConcernRequest.objects.create(child=child, requested_by=actor, reason=reason,
                                            requested_on=requested_on or timezone.localdate())
    audit_record(actor=actor, verb=Verb.CREATED, obj=request, child_id=child.pk,
                 changes={"reason": [None, reason], "requested_on": [None, request.requested_on]})
    due_on = school_calendar.add_working_days(request.requested_on, 10)
    link = settings.SITE_URL + reverse("child_detail", args=[child.pk])
    for officer in User.objects.filter(role=Role.VIRTUAL_SCHOOL, local_authority_id=child.local_authority_id,
                                       is_active=True).exclude(pk=actor.pk):
        outbox_enqueue(
            to=officer.email, subject="A concern review PEP has been asked for",
            body=render_to_string("timeliness/email/concern_requested.txt", {
                "name": officer.get_short_name(), "child_ref": child.la_reference, "due_on": due_on, "link": link,
            }),
        )
    return request


# --------------------------------------------------------------------------------------
# The daily run
# --------------------------------------------------------------------------------------


@dataclass
class FlagResult:
    day: dt.date
    deadlines: int = 0
    overdue: int = 0
    due_soon: int = 0
    digests: int = 0
    overdue_notices: int = 0
    recipients: dict[int, list[Deadline]] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "deadlines": self.deadlines, "overdue": self.overdue,
                "due_soon": self.due_soon, "digests": self.digests, "overdue_notices": self.overdue_notices}


@dataclass
class _Person:
    email: str
    name: str
    items: dict[str, Deadline] = field(default_factory=dict)


def _recipients(actionable: list[Deadline], today: dt.date) -> dict[int, _Person]:
    """Who sees each child, in three queries: the same people children_visible_to lets in.

    Social workers, designated teachers (and linked Virtual School officers) through an
    active team link with its per-child grant, a designated teacher only while the child is
    at their school; every Virtual School officer of the child's LA.
    """
    people: dict[int, _Person] = {}
    by_child: dict[int, list[Deadline]] = defaultdict(list)
    by_la: dict[int, list[Deadline]] = defaultdict(list)
    for d in actionable:
        by_child[d.child_id].append(d)
        by_la[d.local_authority_id].append(d)

    def give(user_id: int, email: str, name: str, items: list[Deadline]) -> None:
        person = people.get(user_id) or people.setdefault(user_id, _Person(email, name))
        for d in items:
            person.items[d.key] = d

    if not actionable:
        return people
    # Three plain scans joined in Python: a correlated EXISTS per link took seconds at
    # national scale.
    granted = set(ChildUserObjectPermission.objects.filter(permission__codename=VIEW_PERMISSION)
                  .order_by().values_list("user_id", "content_object_id"))
    links = (TeamMembership.objects
             .filter(role__in=DIGEST_TEAM_ROLES, ends_on__isnull=True, starts_on__lte=today)
             .order_by().values_list("user_id", "child_id"))
    users = {row[0]: row for row in User.objects.filter(
        is_active=True, role__in=[Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL],
    ).order_by().values_list("id", "role", "school_id", "local_authority_id", "email", "full_name")}
    for user_id, child_id in links:
        if child_id in by_child and user_id in users and (user_id, child_id) in granted:
            items = by_child[child_id]
            if users[user_id][1] == Role.DESIGNATED_TEACHER:
                items = [d for d in items if d.school_id == users[user_id][2]]
            if items:
                give(user_id, users[user_id][4], users[user_id][5], items)
    for user_id, role, _school_id, la_id, email, name in users.values():
        if role == Role.VIRTUAL_SCHOOL and la_id in by_la:
            give(user_id, email, name, by_la[la_id])
    return people


def _sorted(items) -> list[Deadline]:
    return sorted(items, key=lambda d: (d.due_on, d.child_ref, d.kind))


class _Writer:
    """Builds the digest and overdue emails as plain text.

    Thousands of emails a morning share the same deadlines (a child's social worker,
    designated teacher and Virtual School officers all hear about it), so each line is
    formatted once; Django's template engine took most of the run's time at national
    scale. Emails carry the child's initials and LA reference, not their name: the link
    leads to the record, where access is checked.
    """

    def __init__(self) -> None:
        self.site = settings.SITE_URL
        self.child_url = self.site + reverse("child_detail", args=[987654321]).replace("987654321", "{}")
        self.list_url = self.site + reverse("deadlines_list")
        self._lines: dict[str, str] = {}

    def line(self, d: Deadline) -> str:
        text = self._lines.get(d.key)
        if text is None:
            when = "It was due on" if d.status == Status.OVERDUE else "It is due on"
            text = (f"- {d.child_initials} ({d.child_ref}): {d.kind_label}, {d.detail}. "
                    f"{when} {d.due_on:%-d %B %Y}.\n  {self.child_url.format(d.child_id)}")
            self._lines[d.key] = text
        return text

    def section(self, title: str, items: list[Deadline]) -> list[str]:
        if not items:
            return []
        lines = ["", title, *(self.line(d) for d in items[:DIGEST_MAX_ITEMS])]
        if len(items) > DIGEST_MAX_ITEMS:
            lines.append(f"- and {len(items) - DIGEST_MAX_ITEMS} more")
        return lines

    def digest(self, person: _Person, today: dt.date, dedupe_key: str) -> Email:
        overdue = _sorted(d for d in person.items.values() if d.status == Status.OVERDUE)
        due_soon = _sorted(d for d in person.items.values() if d.status == Status.DUE_SOON)
        body = "\n".join([
            f"Hello {_first_name(person)},",
            "",
            f"These PEP deadlines of children you work with are overdue or due soon ({today:%-d %B %Y}).",
            *self.section("Overdue", overdue),
            *self.section("Due soon", due_soon),
            "",
            f"See all your PEP deadlines: {self.list_url}",
            "",
            "You get this email on mornings when a PEP deadline of one of your children is overdue or due "
            "within 10 working days.",
            "",
        ])
        parts = [f"{len(overdue)} overdue" if overdue else "", f"{len(due_soon)} due soon" if due_soon else ""]
        return Email(to=person.email, subject="PEP deadlines: " + " and ".join(p for p in parts if p),
                     body=body, dedupe_key=dedupe_key)

    def became_overdue(self, person: _Person) -> Email:
        items = _sorted(person.items.values())
        count = f"{len(items)} PEP deadline{'s' if len(items) != 1 else ''}"
        body = "\n".join([
            f"Hello {_first_name(person)},",
            "",
            f"{count} of your local authority's children became overdue.",
            *self.section("Became overdue", items),
            "",
            f"See every overdue deadline: {self.list_url}?status=overdue",
            "",
        ])
        return Email(to=person.email, subject=f"{count} became overdue", body=body)


def _first_name(person: _Person) -> str:
    return person.name.split(" ")[0] if person.name else ""


def _serialise_runs() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FLAG_OVERDUE_LOCK])


@transaction.atomic
def flag_overdue(*, today: dt.date | None = None) -> FlagResult:
    """The daily run: find what is overdue or due soon, and tell people, once.

    Each person with something to do gets one digest a day; the Virtual School officers
    of the child's LA are told once when a deadline becomes overdue. Notices and their
    emails (outbox rows) are written in this one transaction, so a run that dies half-way
    leaves nothing behind and its retry does the whole job once; the unique constraint on
    Notice means a second run the same day sends nothing twice.
    """
    today = today or timezone.localdate()
    _serialise_runs()
    # The kept deadline status (deadlines.status): PEP and QA deadlines and the education
    # record's part-time timetable and EHCP reviews.
    actionable, total = deadline_status.actionable_and_total(today=today)
    result = FlagResult(day=today, deadlines=total,
                        overdue=sum(1 for d in actionable if d.status == Status.OVERDUE),
                        due_soon=sum(1 for d in actionable if d.status == Status.DUE_SOON))
    people = _recipients(actionable, today)

    notices: list[tuple] = []  # (recipient_id, kind, deadline_key, day)
    emails: list[Email] = []
    writer = _Writer()
    had_digest = set(Notice.objects.filter(deadline_key=Notice.DIGEST_KEY, day=today)
                     .values_list("recipient_id", flat=True))
    for user_id, person in people.items():
        if user_id in had_digest:
            continue
        notices.append((user_id, Notice.Kind.DIGEST, Notice.DIGEST_KEY, today))
        emails.append(writer.digest(person, today, dedupe_key=f"digest:{user_id}:{today.isoformat()}"))
        result.digests += 1

    newly_overdue = [d for d in actionable if d.status == Status.OVERDUE]
    if newly_overdue:
        told = set(Notice.objects.filter(kind=Notice.Kind.OVERDUE, day__gte=min(d.due_on for d in newly_overdue))
                   .values_list("recipient_id", "deadline_key"))
        officers: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for user_id, la_id, email, name in User.objects.filter(
                role=Role.VIRTUAL_SCHOOL, is_active=True,
                local_authority_id__in={d.local_authority_id for d in newly_overdue},
        ).values_list("id", "local_authority_id", "email", "full_name"):
            officers[la_id].append((user_id, email, name))
        per_officer: dict[int, _Person] = {}
        for d in newly_overdue:
            for user_id, email, name in officers.get(d.local_authority_id, []):
                if (user_id, d.key) in told:
                    continue
                notices.append((user_id, Notice.Kind.OVERDUE, d.key, d.due_on))
                per_officer.setdefault(user_id, _Person(email, name)).items[d.key] = d
                result.overdue_notices += 1
        emails.extend(writer.became_overdue(person) for person in per_officer.values())

    # A concurrent run that got here first makes this INSERT fail, rolling the whole run
    # back; the task is retried and then finds everything already done.
    written_at = timezone.now()
    copy_insert(Notice, ("recipient_id", "kind", "deadline_key", "day", "created_at"),
                [(*notice, written_at) for notice in notices])
    outbox_enqueue_many(emails)
    pause = float(getattr(settings, "DEADLINES_FLAG_OVERDUE_PAUSE_SECONDS", 0) or 0)
    if pause:
        # Test-only: lets the integration tests kill a worker in the middle of a run.
        time.sleep(pause)
    audit_record(actor=None, verb=Verb.CREATED, object_type="timeliness.flag_overdue",
                 object_id=today.isoformat(), changes=result.as_dict())
    result.recipients = {uid: list(p.items.values()) for uid, p in people.items()}
    return result
