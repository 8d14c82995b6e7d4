"""The per-child deadline status: the engine's answer (deadlines.engine) kept in a table.

`DeadlineStatus` holds every current deadline of every child (PEP deadlines, QA, and the
education record's part-time timetable and EHCP reviews) as the engine works them out for
one day per LA, the day in `DeadlineStatusDay`. It is kept so:

- Every night `roll(today=)` recomputes each LA for the new day (the current term and
  the 20-working-day windows move with the day, as the statuses do).
- Every audited write to an input refreshes what it changed for that same day, in the
  writer's transaction: `on_write` is the core.audit.IN_WRITE hook (registered in
  DeadlinesConfig.ready). A write about a child (care episode, placement, PEP, meeting,
  concern request, part-time timetable, SEN status, the child's own record) refreshes
  the child; a write to an LA's term dates, days off or deadline settings, or an import
  of a whole file of children, refreshes the LA. The GIAS import (a school's rating or
  name) refreshes the children at the schools it changed itself (refresh(school_ids=)).
- `drift()` (the nightly task and `manage.py deadlines_drift`) recomputes every LA for
  its day and compares: any difference is a write that did not refresh, a bug.

Readers (`current`, `child_flags`) answer from the table for the LAs whose day it holds
and ask the engine for the others (an LA never rolled, or another day asked for), so a
missed roll makes pages slower, never wrong.

Two writers of one LA's rows (a write's refresh and the roll) take the LA's advisory lock
first (PostgreSQL), so a roll never replaces rows with what it computed before a write
committed. Writers already hold the LA's DataVersion row (core.audit) when they get here;
the roll takes only the advisory lock, so the two never wait on each other in a circle.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import LocalAuthority
from children.models import Child, SchoolPlacement
from core.audit import Verb, audit_record
from core.bulk import copy_insert

from .engine import Deadline, Kind, Status, compute_deadlines, record_deadlines
from .models import DeadlineStatus, DeadlineStatusDay

log = logging.getLogger(__name__)

# pg_advisory_xact_lock(LOCK_CLASS, la_id): one LA's rows being replaced.
LOCK_CLASS = 6_062_027

# Audited writes whose object is an input of one child's deadlines (core.audit object types).
CHILD_INPUTS = frozenset({
    "children.child", "children.careepisode", "children.schoolplacement", "peps.pep", "meetings.meeting",
    "timeliness.concernrequest", "education.parttimetimetable", "education.senstatus", "education.record",
})
# ... and of every child of one LA: the object id is the LA's code or the row's id.
LA_INPUTS = frozenset({
    "timeliness.termdates", "timeliness.dayoff", "timeliness.deadlinesettings", "children.import",
    "imports.ssda903",
})
COLUMNS = ("child_id", "local_authority_id", "school_id", "kind", "key", "detail", "due_on", "done_on", "status")
PEP_KINDS = (Kind.INITIAL, Kind.CHANGE_OF_SCHOOL, Kind.TERMLY, Kind.HALF_TERMLY, Kind.POST16, Kind.CONCERN)
REVIEW_KINDS = (Kind.CHANGE_OF_SCHOOL, Kind.TERMLY, Kind.HALF_TERMLY, Kind.POST16, Kind.CONCERN)
ACTION_STATUSES = (Status.OVERDUE, Status.DUE_SOON)


def _row(d: Deadline) -> tuple:
    return (d.child_id, d.local_authority_id, d.school_id, d.kind, d.key, d.detail, d.due_on, d.done_on, d.status)


def compute(today: dt.date, *, la_ids: Iterable[int] | None = None,
            child_ids: QuerySet | Iterable[int] | None = None) -> list[Deadline]:
    """What the table should hold: the engine's PEP and QA deadlines and the record's reviews."""
    return (compute_deadlines(today=today, la_ids=la_ids, child_ids=child_ids)
            + record_deadlines(today=today, la_ids=la_ids, child_ids=child_ids))


def _lock(la_ids: Iterable[int]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for la_id in sorted(set(la_ids)):  # in one order, so two lockers never deadlock
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, la_id])


def _insert(rows: list[Deadline]) -> None:
    copy_insert(DeadlineStatus, COLUMNS, [_row(d) for d in rows])


def days_of(la_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
    """The day each LA's rows hold (LAs never rolled are left out)."""
    rows = DeadlineStatusDay.objects.all()
    if la_ids is not None:
        rows = rows.filter(local_authority_id__in=list(la_ids))
    return dict(rows.values_list("local_authority_id", "day"))


# ---- keeping it ------------------------------------------------------------------------------------


@transaction.atomic
def refresh(*, child_ids: Collection[int] = (), la_ids: Collection[int] = (), school_ids: Collection[int] = (),
            local_authority_id: int | None = None) -> int:
    """Recompute these children (or every child of these LAs, or of these schools) for the
    day their LA's rows hold, replacing their rows; returns how many rows were written.

    Called in the writer's transaction. `local_authority_id` is the children's LA when the
    caller knows it (the audit hook does), saving a query. Children of an LA never rolled
    have no rows to keep: theirs are only deleted (an LA they left may have had some).
    """
    child_ids = set(child_ids)
    if school_ids:
        # The school's rating decides the current placement's review; its name is in the
        # detail of a recent change of school (the engine looks back far less than a year).
        child_ids |= set(SchoolPlacement.objects.filter(school_id__in=list(school_ids)).filter(
            Q(ended_on__isnull=True) | Q(started_on__gte=timezone.localdate() - dt.timedelta(days=365)))
            .values_list("child_id", flat=True))
    written = 0
    if la_ids:
        days = days_of(la_ids)
        _lock(days)
        DeadlineStatus.objects.filter(Q(local_authority_id__in=list(la_ids))
                                      | Q(child__local_authority_id__in=list(la_ids))).delete()
        for la_id, day in days.items():
            rows = compute(day, la_ids=[la_id])
            _insert(rows)
            written += len(rows)
    if child_ids:
        if local_authority_id is not None and len(child_ids) == 1:
            by_la = {local_authority_id: child_ids}
        else:
            by_la = defaultdict(set)
            for pk, la_id in Child.objects.filter(pk__in=list(child_ids)).values_list("pk", "local_authority_id"):
                by_la[la_id].add(pk)
        days = days_of(by_la)
        _lock(days)
        DeadlineStatus.objects.filter(child_id__in=list(child_ids)).delete()
        for la_id, day in days.items():
            rows = compute(day, la_ids=[la_id], child_ids=list(by_la[la_id]))
            _insert(rows)
            written += len(rows)
    return written


# A write of another object that carries a change to an input, under these names: saving
# section B writes the education record (its SEN status decides the EHCP review) inside the
# section's one event (peps.services.sections.section_save).
CARRIED_INPUTS = {"peps.section": "education_record:"}


def on_write(*, object_type: str, object_id: str, child_id: int | None, local_authority_id: int | None,
             changes: dict | None = None) -> None:
    """The core.audit.IN_WRITE hook: refresh what an audited write to an input changed.

    Each event refreshes at once (a service writing three events about one child refreshes
    it three times, about a dozen queries each): simpler than collecting them until a
    commit Django gives no hook before, and cheap enough: bench/bench_deadline_status.py measures it.
    """
    prefix = CARRIED_INPUTS.get(object_type)
    if prefix is not None and child_id is not None and any(k.startswith(prefix) for k in (changes or {})):
        refresh(child_ids=[child_id], local_authority_id=local_authority_id)
        return
    if object_type in CHILD_INPUTS:
        if child_id is not None:
            refresh(child_ids=[child_id], local_authority_id=local_authority_id)
        return
    if object_type not in LA_INPUTS:
        return
    la_id = local_authority_id if local_authority_id is not None else _la_named(object_type, object_id)
    if la_id is not None:
        refresh(la_ids=[la_id])


def _la_named(object_type: str, object_id: str) -> int | None:
    """The LA an LA-wide event without `local_authority_id` is about: the imports of a whole
    file name it by its code. (The term dates and settings services pass the LA.)"""
    return LocalAuthority.objects.filter(code=object_id).values_list("pk", flat=True).first()


@dataclass
class RollResult:
    day: dt.date
    local_authorities: int = 0
    rows: int = 0

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "local_authorities": self.local_authorities, "rows": self.rows}


def roll(*, today: dt.date | None = None, la_ids: Iterable[int] | None = None) -> RollResult:
    """Recompute every LA (or these) for `today` and make it their day: the nightly job.

    One transaction per LA (a national roll never holds every LA's lock at once), then one
    audit event for the run.
    """
    today = today or timezone.localdate()
    result = RollResult(day=today)
    ids = list(la_ids) if la_ids is not None else list(LocalAuthority.objects.order_by("pk")
                                                          .values_list("pk", flat=True))
    for la_id in ids:
        with transaction.atomic():
            _lock([la_id])
            rows = compute(today, la_ids=[la_id])
            DeadlineStatus.objects.filter(Q(local_authority_id=la_id) | Q(child__local_authority_id=la_id)).delete()
            _insert(rows)
            DeadlineStatusDay.objects.update_or_create(local_authority_id=la_id,
                                                       defaults={"day": today, "rolled_at": timezone.now()})
        result.local_authorities += 1
        result.rows += len(rows)
    audit_record(actor=None, verb=Verb.UPDATED, object_type="timeliness.deadlinestatus.roll",
                 object_id=today.isoformat(), changes=result.as_dict())
    return result


@dataclass
class Drift:
    local_authority_id: int
    day: dt.date
    missing: list[tuple] = field(default_factory=list)  # the engine has them, the table does not
    unexpected: list[tuple] = field(default_factory=list)  # the table has them, the engine does not


def _stored(la_id: int) -> list[tuple]:
    return list(DeadlineStatus.objects.filter(local_authority_id=la_id).order_by().values_list(*COLUMNS))


def _compare(la_id: int, day: dt.date) -> Drift:
    expected = [_row(d) for d in compute(day, la_ids=[la_id])]
    stored = _stored(la_id)
    drift = Drift(la_id, day)
    counts: dict[tuple, int] = defaultdict(int)
    for row in stored:
        counts[row] += 1
    for row in expected:
        if counts.get(row, 0) > 0:
            counts[row] -= 1
        else:
            drift.missing.append(row)
    drift.unexpected = [row for row, n in counts.items() for _ in range(n)]
    return drift


def drift(*, la_ids: Iterable[int] | None = None, fix: bool = False) -> list[Drift]:
    """Recompute every rolled LA for its day and compare with the table: the LAs that differ.

    With `fix`, each LA that differs is recomputed and its rows replaced (with one audit
    event per LA fixed, written before its lock is taken, in the order writers take them).
    """
    found = []
    for la_id, day in sorted(days_of(la_ids).items()):
        difference = _compare(la_id, day)
        if not (difference.missing or difference.unexpected):
            continue
        found.append(difference)
        log.warning("deadline status drift", extra={
            "event": "deadline_status_drift", "object_id": la_id,
            "missing": len(difference.missing), "unexpected": len(difference.unexpected)})
        if fix:
            with transaction.atomic():
                audit_record(actor=None, verb=Verb.UPDATED, object_type="timeliness.deadlinestatus.fix",
                             object_id=la_id, local_authority_id=la_id,
                             changes={"day": day.isoformat(), "missing": len(difference.missing),
                                      "unexpected": len(difference.unexpected)})
                refresh(la_ids=[la_id])
    return found


def nightly(*, today: dt.date | None = None) -> dict:
    """The nightly task: check yesterday's table against a fresh recompute (and mend it),
    then roll every LA to `today`."""
    drifted = drift(fix=True)
    result = roll(today=today)
    return {**result.as_dict(), "drifted_local_authorities": len(drifted),
            "drifted_rows": sum(len(d.missing) + len(d.unexpected) for d in drifted)}


# ---- reading it -------------------------------------------------------------------------------------


def _scope_las(la_ids: Iterable[int] | None, child_ids) -> list[int]:
    if la_ids is not None:
        return list(la_ids)
    if child_ids is not None:
        return list(Child.objects.filter(pk__in=child_ids).order_by().values_list("local_authority_id", flat=True)
                     .distinct())
    return list(LocalAuthority.objects.values_list("pk", flat=True))


def _from_table(rows: QuerySet) -> list[Deadline]:
    return [Deadline(child_id, ref, f"{preferred or first} {last}", la_id, kind, due_on, status, key, detail,
                     done_on, school_id)
            for (child_id, ref, first, preferred, last, la_id, kind, due_on, status, key, detail, done_on, school_id)
            in rows.values_list(
                "child_id", "child__la_reference", "child__first_name", "child__preferred_name", "child__last_name",
                "local_authority_id", "kind", "due_on", "status", "key", "detail", "done_on", "school_id")]


def table_las(today: dt.date, la_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """(the LAs the table holds for `today`, the others)."""
    la_ids = list(la_ids)
    days = days_of(la_ids) if la_ids else {}
    kept = [la for la in la_ids if days.get(la) == today]
    return kept, [la for la in la_ids if days.get(la) != today]


def current(*, today: dt.date | None = None, la_ids: Iterable[int] | None = None, child_ids=None,
            needs_action: bool = False, kinds: Collection[str] | None = None) -> list[Deadline]:
    """Every current deadline of the LAs' (or these children's) children: from the table
    where it holds `today`, from the engine elsewhere. `needs_action`: only those not done
    and overdue or due soon."""
    today = today or timezone.localdate()
    kept, rest = table_las(today, _scope_las(la_ids, child_ids))
    result: list[Deadline] = []
    if kept:
        rows = DeadlineStatus.objects.filter(local_authority_id__in=kept)
        if child_ids is not None:
            rows = rows.filter(child_id__in=child_ids)
        if needs_action:
            rows = rows.filter(done_on__isnull=True, status__in=ACTION_STATUSES)
        if kinds is not None:
            rows = rows.filter(kind__in=list(kinds))
        result += _from_table(rows.order_by())
    if rest:
        computed = compute(today, la_ids=rest, child_ids=child_ids)
        result += [d for d in computed if (not needs_action or d.needs_action)
                   and (kinds is None or d.kind in kinds)]
    return result


@dataclass
class ChildFlags:
    initial_overdue: bool
    review_overdue: bool
    due_soon_on: dt.date | None  # the first PEP deadline due soon, if any


def child_flags(*, today: dt.date, la_ids: Iterable[int] | None = None, child_ids=None) -> dict[int, ChildFlags] | None:
    """Per child: an initial PEP overdue, a review overdue, the first PEP deadline due soon
    (not done, QA and the record's reviews left out): one GROUP BY over the table. None
    when the table does not hold `today` for every LA asked about (the caller asks the engine)."""
    kept, rest = table_las(today, _scope_las(la_ids, child_ids))
    if rest or not kept:
        return None
    rows = DeadlineStatus.objects.filter(local_authority_id__in=kept, done_on__isnull=True,
                                         status__in=ACTION_STATUSES, kind__in=PEP_KINDS)
    if child_ids is not None:
        rows = rows.filter(child_id__in=child_ids)
    flags = {}
    for child_id, initial, review, soon in (
            rows.order_by().values("child_id").annotate(
                initial=Count("pk", filter=Q(kind=Kind.INITIAL, status=Status.OVERDUE)),
                review=Count("pk", filter=Q(kind__in=REVIEW_KINDS, status=Status.OVERDUE)),
                soon=Min("due_on", filter=Q(status=Status.DUE_SOON)))
            .values_list("child_id", "initial", "review", "soon")):
        flags[child_id] = ChildFlags(bool(initial), bool(review), soon)
    return flags


def needing_action(*, today: dt.date | None = None, la_ids: Iterable[int] | None = None, child_ids=None,
                   limit: int) -> tuple[list[Deadline], int, int]:
    """The first `limit` deadlines not done and overdue or due soon (overdue first, then by
    due date), how many there are and how many are overdue: two SQL queries over the table
    (a count and the first rows) where it holds `today`."""
    today = today or timezone.localdate()
    kept, rest = table_las(today, _scope_las(la_ids, child_ids))
    if rest:
        found = sorted(current(today=today, la_ids=la_ids, child_ids=child_ids, needs_action=True),
                       key=lambda d: (d.status != Status.OVERDUE, d.due_on, d.child_ref, d.kind))
        return found[:limit], len(found), sum(1 for d in found if d.status == Status.OVERDUE)
    if not kept:
        return [], 0, 0
    rows = DeadlineStatus.objects.filter(local_authority_id__in=kept, done_on__isnull=True,
                                         status__in=ACTION_STATUSES)
    if child_ids is not None:
        rows = rows.filter(child_id__in=child_ids)
    counts = rows.aggregate(n=Count("pk"), overdue=Count("pk", filter=Q(status=Status.OVERDUE)))
    first = _from_table(rows.order_by(
        Case(When(status=Status.OVERDUE, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "due_on", "child__la_reference", "kind")[:limit])
    return first, counts["n"], counts["overdue"]


def actionable_and_total(*, today: dt.date) -> tuple[list[Deadline], int]:
    """Every deadline of every LA not done and overdue or due soon, and how many current
    deadlines there are in all: the daily run's reading (a filtered read and a COUNT over
    the table; the engine for LAs the table does not hold `today` for)."""
    kept, rest = table_las(today, _scope_las(None, None))
    actionable: list[Deadline] = []
    total = 0
    if kept:
        rows = DeadlineStatus.objects.filter(local_authority_id__in=kept)
        total += rows.count()
        actionable += _from_table(rows.filter(done_on__isnull=True, status__in=ACTION_STATUSES).order_by())
    if rest:
        computed = compute(today, la_ids=rest)
        total += len(computed)
        actionable += [d for d in computed if d.needs_action]
    return actionable, total
