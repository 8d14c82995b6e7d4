"""Every write of the imports. Each import writes the events of what it changed and one
"imported" event summing it up; an import that changes nothing writes nothing at all.

Whether the actor may import at all is the policy's question (imports.policies), asked
by the view or the command before calling these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import LocalAuthority, User
from children.models import CareEpisode, CareHistoryEpisode, Child
from core.audit import Verb, audit_record, diff, snapshot
from core.models import AuditEvent
from core.request_context import current_request_id
from deadlines import status as deadline_status

from . import ssda903
from .readers import FileProblem, chunks

BATCH = 1000
Progress = Callable[[int, int], None]

CHILD_FIELDS = ("la_reference", "first_name", "last_name", "preferred_name", "date_of_birth", "gender",
                "ethnicity", "upn", "legal_status")
HISTORY_FIELDS = ("ends_on", "reason_new_episode", "legal_status", "category_of_need", "placement_type",
                  "placement_provider", "reason_ceased", "reason_place_change", "home_postcode",
                  "placement_postcode", "placement_urn")
PLACEHOLDER_FIRST_NAME = "Child"


def _event(actor, verb: str, obj, child_id: int | None, changes: dict) -> AuditEvent:
    """An unsaved audit event, as core.audit.audit_record writes it, for a bulk insert."""
    return AuditEvent(actor=actor if getattr(actor, "pk", None) else None, verb=verb,
                      object_type=obj._meta.label_lower, object_id=str(obj.pk), child_id=child_id,
                      changes=changes, request_id=current_request_id.get())


# ---- SSDA903 ------------------------------------------------------------------------------------------


@dataclass
class Ssda903Result:
    header_rows: int = 0
    episode_rows: int = 0
    children_created: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    times_in_care_started: int = 0
    times_in_care_changed: int = 0
    left_care: int = 0
    episodes_added: int = 0
    episodes_changed: int = 0
    problems: list[ssda903.Problem] = field(default_factory=list)
    validation: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[ssda903.Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[ssda903.Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in (
            "header_rows", "episode_rows", "children_created", "children_updated", "children_unchanged",
            "times_in_care_started", "times_in_care_changed", "left_care", "episodes_added", "episodes_changed")}

    @property
    def changed(self) -> bool:
        return any(v for k, v in self.counts.items() if k not in ("header_rows", "episode_rows",
                                                                 "children_unchanged"))

    def as_dict(self) -> dict:
        return {"counts": self.counts, "problems": [p.as_dict() for p in self.problems],
                "validation": self.validation}


@dataclass
class _Stored:
    child: Child
    periods: list[CareEpisode] = field(default_factory=list)
    history: dict[dt.date, CareHistoryEpisode] = field(default_factory=dict)


def _load_stored(la: LocalAuthority, refs: list[str]) -> dict[str, _Stored]:
    """The LA's children named in the files with their times in care and episodes: 3 queries a chunk."""
    found: dict[str, _Stored] = {}
    for refs_chunk in chunks(refs):
        children = {c.pk: _Stored(c) for c in Child.objects.filter(local_authority=la, la_reference__in=refs_chunk)}
        if not children:
            continue
        for period in CareEpisode.objects.filter(child_id__in=children).order_by("entered_care_on"):
            children[period.child_id].periods.append(period)
        for episode in CareHistoryEpisode.objects.filter(child_id__in=children):
            children[episode.child_id].history[episode.starts_on] = episode
        for stored in children.values():
            stored.child.local_authority = la
            found[stored.child.la_reference] = stored
    return found


def _care_plan(row: ssda903.ChildRow, stored: _Stored | None) -> tuple[list, list, str | None]:
    """(new periods, changed periods [(episode, changes)], problem) for one child's times in care.

    A time in care in the file matches a stored one that starts the same day, or else the
    stored one it overlaps (whose start date the file corrects). Unmatched stored times
    (earlier years) stay. The result must still have no overlaps and at most one open time.
    """
    periods = row.periods
    existing = list(stored.periods) if stored else []
    new, changed, used = [], [], set()
    final: list[tuple[dt.date, dt.date | None]] = []
    for period in periods:
        match = next((e for e in existing if e.pk not in used and e.entered_care_on == period.starts_on), None)
        if match is None:
            period_end = period.ends_on or dt.date.max
            match = next((e for e in existing if e.pk not in used and e.entered_care_on <= period_end
                          and period.starts_on <= (e.left_care_on or dt.date.max)), None)
        if match is None:
            new.append(period)
        else:
            used.add(match.pk)
            if period.starts_on > match.entered_care_on and period.episodes[0].fields["reason_new_episode"] != "S":
                # The file's first episode continues a time in care that began before the year it covers.
                period.starts_on = match.entered_care_on
            changes = diff({"entered_care_on": match.entered_care_on, "left_care_on": match.left_care_on},
                           {"entered_care_on": period.starts_on, "left_care_on": period.ends_on})
            if changes:
                changed.append((match, period, changes))
        final.append((period.starts_on, period.ends_on))
    final += [(e.entered_care_on, e.left_care_on) for e in existing if e.pk not in used]
    final.sort(key=lambda span: span[0])
    for (start, end), (next_start, _next_end) in zip(final, final[1:], strict=False):
        if end is None or next_start <= end:
            return [], [], (f"Child {row.ref}'s episodes overlap a time in care already recorded (from "
                            f"{start:%d/%m/%Y}): their care history is not changed")
    return new, changed, None


def ssda903_import(*, actor: User | None, la: LocalAuthority, header: bytes, episodes: bytes | None = None,
                   names: bytes | None = None, run_validator: bool = True,
                   progress: Progress | None = None) -> Ssda903Result:
    """Import an SSDA903 return (imports/ssda903.py says what is taken) for one LA.

    Rows that cannot be used are reported and skipped; everything else lands in one
    transaction. New children, times in care and episodes are bulk inserts; changes
    bulk updates; each written object gets the event its own service would write, plus
    one "imported" event with the counts. Importing the same files again changes
    nothing and writes no event. FileProblem: a file cannot be used at all.
    """
    today = timezone.localdate()
    parsed = ssda903.parse(header=header, episodes=episodes, names=names, today=today)
    result = Ssda903Result(header_rows=parsed.header_rows, episode_rows=parsed.episode_rows,
                           problems=list(parsed.problems))
    total = len(parsed.children) or 1
    if progress:
        progress(0, total)
    stored = _load_stored(la, sorted(set(parsed.children) | set(parsed.orphans)))
    for ref, rows in parsed.orphans.items():
        if ref in stored:  # episodes of a child recorded earlier, with no header row this year
            continue
        for orphan in rows:
            result.problems.append(ssda903.Problem(orphan.line, "episodes", ref,
                                                   f"Child {ref} is not in the header file and not recorded: the "
                                                   "episode is skipped"))
    if run_validator:
        result.validation = _validate(parsed, la)

    creates: list[tuple[ssda903.ChildRow, Child]] = []
    updates: list[tuple[Child, dict]] = []
    new_periods: list[tuple[Child, ssda903.Period]] = []
    changed_periods: list[tuple[CareEpisode, ssda903.Period, dict]] = []
    history_rows: list[tuple[Child, ssda903.ChildRow]] = []
    for number, (ref, row) in enumerate(parsed.children.items(), start=1):
        if progress and number % 500 == 0:
            progress(number, total)
        known = stored.get(ref)
        if known is None and not row.episodes:
            result.problems.append(ssda903.Problem(row.line, "header", ref,
                                                   f"Child {ref} has no episode in the episodes file: not imported"))
            continue
        wanted = dict(row.fields)
        if row.legal_status:
            wanted["legal_status"] = row.legal_status
        if row.names:
            wanted.update(row.names)
        if known is None:
            child = Child(local_authority=la, la_reference=ref,
                          **({"first_name": PLACEHOLDER_FIRST_NAME, "last_name": ref} | wanted))
            creates.append((row, child))
        else:
            child = known.child
            before = snapshot(child, CHILD_FIELDS)
            for name, value in wanted.items():
                setattr(child, name, value)
            changes = diff(before, snapshot(child, CHILD_FIELDS))
            if changes:
                updates.append((child, changes))
        new, changed, problem = _care_plan(row, known)
        if problem:
            result.problems.append(ssda903.Problem(row.line, "episodes", ref, problem))
            if known is None:
                creates.pop()
            continue
        new_periods += [(child, p) for p in new]
        changed_periods += changed
        history_rows.append((child, row))

    with transaction.atomic():
        events: list[AuditEvent] = []
        if creates:
            Child.objects.bulk_create([c for _row, c in creates], batch_size=BATCH)
            events += [_event(actor, Verb.CREATED, c, c.pk, diff({}, snapshot(c, CHILD_FIELDS))) for _r, c in creates]
        if updates:
            _bulk_update_by_fields(Child, [(c, list(changes)) for c, changes in updates])
            events += [_event(actor, Verb.UPDATED, c, c.pk, changes) for c, changes in updates]
        # Changed times in care first: closing the open one makes room for a new open one.
        period_of: dict[tuple[int, dt.date], CareEpisode] = {}
        if changed_periods:
            for episode, period, _changes in changed_periods:
                episode.entered_care_on, episode.left_care_on = period.starts_on, period.ends_on
            CareEpisode.objects.bulk_update([e for e, _p, _c in changed_periods],
                                            ["entered_care_on", "left_care_on"], batch_size=BATCH)
            for episode, period, changes in changed_periods:
                period_of[(episode.child_id, period.starts_on)] = episode
                events.append(_event(actor, Verb.UPDATED, episode, episode.child_id, changes))
                result.left_care += bool(period.ends_on and "left_care_on" in changes)
        if new_periods:
            created = CareEpisode.objects.bulk_create(
                [CareEpisode(child=child, entered_care_on=p.starts_on, left_care_on=p.ends_on,
                             reason="SSDA903 return") for child, p in new_periods], batch_size=BATCH)
            for episode, (_child, period) in zip(created, new_periods, strict=True):
                period_of[(episode.child_id, period.starts_on)] = episode
                events.append(_event(actor, Verb.CREATED, episode, episode.child_id, {
                    "entered_care_on": [None, episode.entered_care_on.isoformat()],
                    "left_care_on": [None, episode.left_care_on.isoformat() if episode.left_care_on else None],
                    "reason": [None, episode.reason]}))
                result.left_care += bool(period.ends_on)
        # The episodes themselves, keyed by child and start date.
        add, change = [], []
        for child, row in history_rows:
            known = stored.get(row.ref)
            kept = known.history if known else {}
            spans = {p.starts_on: p for p in row.periods}
            for period_start, period in spans.items():
                owner = period_of.get((child.pk, period_start)) or next(
                    (e for e in (known.periods if known else []) if e.entered_care_on == period_start), None)
                for row_episode in period.episodes:
                    values = {"ends_on": row_episode.ends_on, **row_episode.fields}
                    old = kept.get(row_episode.starts_on)
                    if old is None:
                        add.append(CareHistoryEpisode(child=child, care_episode=owner, starts_on=row_episode.starts_on,
                                                      **values))
                        continue
                    before = snapshot(old, HISTORY_FIELDS)
                    for name, value in values.items():
                        setattr(old, name, value)
                    relinked = owner is not None and old.care_episode_id != owner.pk
                    if relinked:
                        old.care_episode = owner
                    changes = diff(before, snapshot(old, HISTORY_FIELDS))
                    if changes or relinked:
                        change.append((old, changes))
        if add:
            CareHistoryEpisode.objects.bulk_create(add, batch_size=BATCH)
            events += [_event(actor, Verb.CREATED, e, e.child_id, diff({}, snapshot(e, ("starts_on", *HISTORY_FIELDS))))
                       for e in add]
        if change:
            _bulk_update_by_fields(CareHistoryEpisode, [(e, [*changes, "care_episode"]) for e, changes in change])
            events += [_event(actor, Verb.UPDATED, e, e.child_id, changes) for e, changes in change if changes]
        result.children_created = len(creates)
        touched = {c.pk for c, _ in updates} | {e.child_id for e, _p, _c in changed_periods} \
            | {c.pk for c, _p in new_periods} | {e.child_id for e in add} | {e.child_id for e, _ in change}
        result.children_updated = len(touched - {c.pk for _r, c in creates})
        result.children_unchanged = len(history_rows) - result.children_created - result.children_updated
        result.times_in_care_started = len(new_periods)
        result.times_in_care_changed = len(changed_periods)
        result.episodes_added = len(add)
        result.episodes_changed = len(change)
        if events:
            AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        if result.changed:
            audit_record(actor=actor, verb=Verb.IMPORTED, object_type="imports.ssda903", object_id=la.code,
                         changes={**result.counts, "problems": len(result.errors), "warnings": len(result.warnings)})
    if progress:
        progress(total, total)
    result.problems.sort(key=lambda p: (p.warning, p.table != "header", p.line))
    return result


def _bulk_update_by_fields(model, rows: list[tuple[object, list[str]]]) -> None:
    """bulk_update each group of objects with only the fields that changed in it.

    One bulk_update over every field writes a CASE expression per field and row; the
    changes of a year are nearly all the same few fields (an end date and its reason).
    """
    groups: dict[tuple[str, ...], list] = {}
    for obj, names in rows:
        groups.setdefault(tuple(sorted(set(names))), []).append(obj)
    for fields, objs in groups.items():
        model.objects.bulk_update(objs, list(fields), batch_size=BATCH)


def _validate(parsed: ssda903.Parsed, la: LocalAuthority) -> dict:
    from .validation import ons_code, validate

    return validate(parsed.canonical, la_code=ons_code(la.name, la.code))


__all__ = ["FileProblem", "Ssda903Result", "ssda903_import"]


# ---- the SSDA903 import as a background job (the page) --------------------------------------------------


@transaction.atomic
def ssda903_job_request(*, actor: User, la: LocalAuthority, header, episodes=None, names=None):
    """Keep the uploaded files and queue the import; the page then shows its progress."""
    from django.core.files.base import ContentFile

    from core.queue import send_task_quietly

    from .models import Ssda903Import
    from .tasks import run_ssda903_import

    job = Ssda903Import(local_authority=la, requested_by=actor)
    job.header.save("header" + _suffix(header.name), ContentFile(header.read()), save=False)
    if episodes is not None:
        job.episodes.save("episodes.csv", ContentFile(episodes.read()), save=False)
    if names is not None:
        job.names.save("names.csv", ContentFile(names.read()), save=False)
    job.save()
    audit_record(actor=actor, verb=Verb.CREATED, obj=job, changes={"local_authority": [None, la.code]})
    job_id = job.pk
    # Never fails the request if the broker is down: ssda903_catch_up runs it later.
    transaction.on_commit(lambda: send_task_quietly(run_ssda903_import, job_id))
    return job


def _suffix(name: str) -> str:
    return ".xml" if (name or "").lower().endswith(".xml") else ".csv"


def ssda903_job_run(*, job_id: int):
    """Run a queued import, saving progress as it goes (small writes outside the import's transaction)."""
    from .models import Ssda903Import

    job = Ssda903Import.objects.select_related("local_authority", "requested_by").get(pk=job_id)
    if job.status in (Ssda903Import.Status.DONE, Ssda903Import.Status.FAILED):
        return job
    job.mark_running(0)

    def progress(done: int, total: int) -> None:
        Ssda903Import.objects.filter(pk=job.pk).update(progress=done, total=total)

    def read(f) -> bytes | None:
        if not f:
            return None
        with f.open("rb") as fh:
            return fh.read()

    try:
        result = ssda903_import(actor=job.requested_by, la=job.local_authority, header=read(job.header) or b"",
                                episodes=read(job.episodes), names=read(job.names), progress=progress)
        outcome = {**result.as_dict(), "ok": True}
    except FileProblem as exc:
        outcome = {"ok": False, "file_problem": str(exc), "counts": {}, "problems": [], "validation": {}}
    except Exception:
        job.mark_failed()
        raise
    Ssda903Import.objects.filter(pk=job.pk).update(status=Ssda903Import.Status.DONE, result=outcome,
                                                   finished_at=timezone.now())
    # The uploaded files are not kept once read: they hold every child's details.
    for f in (job.header, job.episodes, job.names):
        if f:
            f.delete(save=False)
    Ssda903Import.objects.filter(pk=job.pk).update(header="", episodes="", names="")
    job.refresh_from_db()
    return job


def ssda903_catch_up(*, limit: int = 5) -> int:
    from core.jobs import queued_too_long

    from .models import Ssda903Import

    job_ids = queued_too_long(Ssda903Import, limit=limit)
    for job_id in job_ids:
        ssda903_job_run(job_id=job_id)
    return len(job_ids)


# ---- GIAS ---------------------------------------------------------------------------------------------


@dataclass
class GiasResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed_skipped: int = 0
    ratings_changed: int = 0
    children_review_rule_changed: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def problem_rows(self) -> list[dict]:
        return [{"line": line, "message": message} for line, message in self.problems]

    @property
    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("rows", "created", "updated", "unchanged", "closed_skipped",
                                              "ratings_changed", "children_review_rule_changed")}


GIAS_UPDATED_FIELDS = ("name", "ofsted_rating", "status")


def gias_import(*, actor: User | None, data: bytes, include_closed: bool = False) -> GiasResult:
    """Add and update schools from a GIAS establishments file (imports/gias.py says what is read).

    New schools get every field; a school already recorded has only its name, Ofsted
    rating and status updated (and its LA's code and name filled in where blank). A
    school belongs to its own LA by code and name; `local_authority` is set only when
    that LA uses the portal, and no LA is ever created. Closed schools are skipped unless
    `include_closed`; a school already recorded is marked closed all the same. A change of
    rating to or from "requires improvement"/"inadequate" changes the half-termly review
    rule for the children there: their kept deadline status (deadlines.status) is
    refreshed in the same transaction.
    One audit event for the whole file, none when nothing changed.
    """
    from accounts.models import School
    from children.models import SchoolPlacement

    from . import gias

    rows, problems = gias.parse(data)
    result = GiasResult(rows=len(rows) + len(problems), problems=problems)
    tenants_by_code = {la.code.upper(): la for la in LocalAuthority.objects.all()}
    tenants_by_name = {la.name.lower(): la for la in tenants_by_code.values()}

    def tenant(row) -> LocalAuthority | None:
        return tenants_by_code.get(row.la_code.upper()) or tenants_by_name.get(row.la_name.lower())

    stored: dict[str, School] = {}
    for urns in chunks([r.urn for r in rows], 5000):
        stored.update({s.urn: s for s in School.objects.filter(urn__in=urns)})
    creates, updates, rating_moves = [], [], []
    for row in rows:
        school = stored.get(row.urn)
        if school is None:
            if row.status == School.Status.CLOSED and not include_closed:
                result.closed_skipped += 1
                continue
            creates.append(School(urn=row.urn, name=row.name, la_code=row.la_code, la_name=row.la_name,
                                  local_authority=tenant(row), establishment_type=row.establishment_type,
                                  phase=row.phase, status=row.status, ofsted_rating=row.ofsted_rating,
                                  postcode=row.postcode))
            continue
        changed = []
        for name in GIAS_UPDATED_FIELDS:
            if getattr(school, name) != getattr(row, name):
                if name == "ofsted_rating":
                    rating_moves.append((school.pk, school.ofsted_rating, row.ofsted_rating))
                setattr(school, name, getattr(row, name))
                changed.append(name)
        for name in ("la_code", "la_name", "establishment_type", "postcode"):
            if not getattr(school, name) and getattr(row, name):
                setattr(school, name, getattr(row, name))
                changed.append(name)
        if school.local_authority_id is None and (la := tenant(row)) is not None:
            school.local_authority = la
            changed.append("local_authority")
        if changed:
            updates.append((school, changed))
        else:
            result.unchanged += 1
    result.created, result.updated, result.ratings_changed = len(creates), len(updates), len(rating_moves)
    ri = {School.Ofsted.REQUIRES_IMPROVEMENT, School.Ofsted.INADEQUATE}
    rule_moved = [pk for pk, old, new in rating_moves if (old in ri) != (new in ri)]
    with transaction.atomic():
        if creates:
            School.objects.bulk_create(creates, batch_size=2000)
        if updates:
            fields = sorted({name for _s, names in updates for name in names})
            School.objects.bulk_update([s for s, _ in updates], fields, batch_size=1000)
        if rule_moved:
            result.children_review_rule_changed = SchoolPlacement.objects.filter(
                school_id__in=rule_moved, ended_on__isnull=True).values("child_id").distinct().count()
        # A new rating (the half-termly rule) or name (in a change of school's detail) changes
        # the deadlines of the children there: their kept status is refreshed here, as the
        # one event for the whole file does not say which schools changed.
        moved = [school.pk for school, names in updates if "ofsted_rating" in names or "name" in names]
        if moved:
            deadline_status.refresh(school_ids=moved)
        if creates or updates:
            audit_record(actor=actor, verb=Verb.IMPORTED, object_type="imports.gias", object_id="",
                         changes={**result.counts, "problems": len(problems),
                                  "ratings": {str(pk): [old, new] for pk, old, new in rating_moves[:500]}})
    return result


# ---- term dates -----------------------------------------------------------------------------------------


def term_dates_file_import(*, actor: User | None, local_authority: LocalAuthority, data: bytes, filename: str = ""):
    """Term dates from a CSV (DD/MM/YYYY or ISO, INSET and closure rows) or an .ics file: all or none.

    Writes through deadlines.services.calendar_import (one audit event, none when
    nothing changed). TermDatesError lists every problem.
    """
    from core import calendar as school_calendar
    from deadlines.services import calendar_import

    from .readers import decode
    from .termdates import parse_ics

    if filename.lower().endswith((".ics", ".ical")) or data.lstrip().startswith(b"BEGIN:VCALENDAR"):
        terms, days_off = parse_ics(data)
    else:
        terms, days_off = school_calendar.parse_calendar_csv(decode(data))
    saved = calendar_import(actor=actor, local_authority=local_authority, terms=terms, days_off=days_off)
    return saved, days_off


# ---- attendance ----------------------------------------------------------------------------------------


def record_attendance(*, child, school, term: tuple[str, str], possible: int, present: int, authorised: int,
                      unauthorised: int, actor: User | None):
    """One school's attendance figures for a child in one term, written into the child's
    education record through its own service (education.services.attendance_save: one
    audit event, the record's own checks). `term` is (academic year like "2025/26",
    "autumn" | "spring" | "summer"). A later upload replaces the whole-term figures; the
    same figures again change nothing and write no event. Returns (row, changed); a
    ValidationError from the record's checks (sessions that do not add up) is the caller's
    to report against its row.
    """
    from education.models import Attendance
    from education.services import attendance_save

    academic_year, term_name = term
    values = {"sessions_possible": possible, "sessions_present": present,
              "sessions_authorised_absence": authorised, "sessions_unauthorised_absence": unauthorised}
    with transaction.atomic():
        existing = Attendance.objects.select_for_update().filter(
            child=child, school=school, academic_year=academic_year, term=term_name,
            half_term=Attendance.HalfTerm.WHOLE).first()
        if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
            return existing, False
        row = attendance_save(actor=actor, child=child, instance=existing, school=school,
                              academic_year=academic_year, term=term_name,
                              half_term=Attendance.HalfTerm.WHOLE, **values)
    return row, True


@dataclass
class AttendanceResult:
    rows: int = 0
    recorded: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)

    @property
    def problem_rows(self) -> list[dict]:
        return [{"line": line, "message": message} for line, message in self.problems]


def attendance_import(*, actor: User, data: bytes, term: tuple[str, str]) -> AttendanceResult:
    """A school's attendance CSV for one term: rows matched by UPN among the children `actor` may see.

    A designated teacher's rows are recorded at their school; the Virtual School's at the
    child's current school. Unmatched and bad rows are listed and nothing is written for
    them; the others are written through record_attendance, then one "imported" event.
    """
    from children.models import SchoolPlacement
    from children.policies import children_visible_to
    from children.upn import is_not_known_code, normalise, upn_problem

    from .attendance import parse

    rows, problems = parse(data)
    result = AttendanceResult(rows=len(rows) + len(problems), problems=problems)
    upns = sorted({r.upn for r in rows})
    visible: dict[str, list[Child]] = {}
    for chunk in chunks(upns):
        for child in children_visible_to(actor).filter(upn__in=chunk):
            visible.setdefault(child.upn, []).append(child)
    schools = {p.child_id: p.school for p in SchoolPlacement.objects.filter(
        child__in=[c for cs in visible.values() for c in cs], ended_on__isnull=True).select_related("school")}
    with transaction.atomic():
        for row in rows:
            upn = normalise(row.upn)
            if (problem := upn_problem(upn)) is not None:
                result.problems.append((row.line, f"UPN: {problem}"))
                continue
            if is_not_known_code(upn):
                result.unmatched.append((row.line, f"{upn} is a 'UPN not known' code, so the row cannot be matched "
                                                   "to a child: nothing recorded"))
                continue
            matches = visible.get(upn, [])
            if not matches:
                result.unmatched.append((row.line, f"No child you can see has the UPN {upn}: nothing recorded"))
                continue
            if len(matches) > 1:
                result.unmatched.append((row.line, f"More than one child you can see has the UPN {upn}: nothing "
                                                   "recorded"))
                continue
            child = matches[0]
            school = actor.school if actor.school_id else schools.get(child.pk)
            if school is None:
                result.unmatched.append((row.line, f"The child with the UPN {upn} has no current school: nothing "
                                                   "recorded"))
                continue
            try:
                _record, changed = record_attendance(child=child, school=school, term=term, possible=row.possible,
                                                     present=row.present, authorised=row.authorised,
                                                     unauthorised=row.unauthorised, actor=actor)
            except ValidationError as exc:
                messages = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") \
                    else exc.messages
                result.problems.append((row.line, f"{upn}: {'; '.join(messages)}: nothing recorded"))
                continue
            result.recorded += changed
            result.unchanged += not changed
        if result.recorded:
            audit_record(actor=actor, verb=Verb.IMPORTED, object_type="imports.attendance",
                         object_id=f"{term[1]} {term[0]}",
                         changes={"rows": result.rows, "recorded": result.recorded, "unchanged": result.unchanged,
                                  "unmatched": len(result.unmatched), "problems": len(result.problems)})
    return result
