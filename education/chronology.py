"""One timeline per child: care episodes, school moves with reasons, exclusions, SEN and
EHCP events, EET changes, and what higher apps add (PEPs and meetings).

This app sits below peps and meetings, so they take part through the one registry
(core.hooks): each registers a source for education.hooks.CHRONOLOGY_SOURCE in its
AppConfig.ready(), where `fn(child, professional)` returns `Event`s (one or two queries,
whatever the history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from children.models import Child
from core import hooks

from .hooks import CHRONOLOGY_SOURCE
from .models import plain_number
from .selectors import education_record_of


@dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str  # a short heading: "Care", "School", "PEP", "Meeting", "Exclusion", "SEN", "EET"
    text: str


def _record_events(child: Child, professional: bool) -> list[Event]:
    record = education_record_of(child)
    events: list[Event] = []
    for e in child.care_episodes.all():
        events.append(Event(e.entered_care_on, "Care", "Entered care" + (f": {e.reason}" if e.reason else "")))
        if e.left_care_on:
            events.append(Event(e.left_care_on, "Care", "Left care"))
    placements = sorted(record.placements, key=lambda p: p.started_on)
    for p in placements:
        move = getattr(p, "move", None)
        text = f"Started at {p.school.name} ({p.get_year_group_display()})"
        if move is not None:
            text += f". Reason: {move.get_reason_display()}" + (" (mid-year)" if move.mid_year else "")
            if professional and move.notes:
                text += f". {move.notes}"
        events.append(Event(p.started_on, "School", text))
        if p.ended_on:
            events.append(Event(p.ended_on, "School", f"Left {p.school.name}"))
    for x in record.exclusions:
        length = f", {plain_number(x.length)} {x.get_length_unit_display().lower()}" if x.length is not None else ""
        reason = f": {x.get_reason_display()}" if professional else ""
        events.append(Event(x.starts_on, "Exclusion", f"{x.get_kind_display()} from {x.school.name}{length}{reason}"))
    for t in record.part_time:
        events.append(Event(t.starts_on, "School", f"Part-time timetable, {plain_number(t.hours_per_week)} "
                                                   f"hours a week (review {t.review_on:%-d %B %Y})"))
    for a in record.alternative_provision:
        events.append(Event(a.starts_on, "School", f"Alternative provision at {a.provider}, "
                                                   f"{plain_number(a.hours_per_week)} hours a week"))
    for s in sorted(record.sen, key=lambda s: s.starts_on):
        need = f" ({s.get_primary_need_display()})" if professional and s.primary_need else ""
        events.append(Event(s.starts_on, "SEN", f"SEN status: {s.get_status_display()}{need}"))
        if s.ehcp_started_on and s.ehcp_started_on != s.starts_on:
            events.append(Event(s.ehcp_started_on, "SEN", "EHCP started"
                                + (f", maintained by {s.maintaining_la.name}" if s.maintaining_la else "")))
        if s.last_annual_review_on:
            events.append(Event(s.last_annual_review_on, "SEN", "EHCP annual review"))
    for eet in record.eet:
        events.append(Event(eet.starts_on, "EET", eet.get_status_display()
                            + (f" at {eet.provider}" if eet.provider else "")))
    return events


def chronology_of(child: Child, *, professional: bool) -> list[Event]:
    events = _record_events(child, professional)
    for source in hooks.get_hooks(CHRONOLOGY_SOURCE):
        events.extend(source(child, professional))
    return sorted(events, key=lambda e: (e.on, e.kind))
