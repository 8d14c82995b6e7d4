"""Every write of the imports. Each import writes the events of what it changed and one
"imported" event summing it up; an import that changes nothing writes nothing at all.

Whether the actor may import at all is the policy's question (imports.policies), asked
by the view or the command before calling these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.audit import Verb, audit_record, diff, snapshot
from accounts.models import AuditEvent, LocalAuthority, User
from accounts.request_context import current_request_id
from children.models import CareEpisode, CareHistoryEpisode, Child

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
    """An unsaved audit event, as accounts.audit.audit_record writes it, for a bulk insert."""
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
            match = next((e for e in existing if e.pk not in used and e.entered_care_on <= (period.ends_on or dt.date.max)
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
        for episode in rows:
            result.problems.append(ssda903.Problem(episode.line, "episodes", ref,
                                                   f"Child {ref} is not in the header file and not recorded: the "
                                                   "episode is skipped"))
    if run_validator:
        result.validation = _validate(parsed)

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
            names_changed = sorted({name for _c, changes in updates for name in changes})
            Child.objects.bulk_update([c for c, _ in updates], names_changed, batch_size=BATCH)
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
                for episode in period.episodes:
                    values = {"ends_on": episode.ends_on, **episode.fields}
                    old = kept.get(episode.starts_on)
                    if old is None:
                        add.append(CareHistoryEpisode(child=child, care_episode=owner, starts_on=episode.starts_on,
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
            CareHistoryEpisode.objects.bulk_update([e for e, _ in change], [*HISTORY_FIELDS, "care_episode"],
                                                   batch_size=BATCH)
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


def _validate(parsed: ssda903.Parsed) -> dict:
    from .validation import validate

    return validate(parsed.canonical)


__all__ = ["FileProblem", "Ssda903Result", "ssda903_import"]
