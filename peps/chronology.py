"""The PEPs in a child's chronology (education.chronology's registry; one query)."""

from __future__ import annotations

from django.utils import timezone

from education.chronology import Event

from .models import Pep


def pep_events(child, professional: bool) -> list[Event]:
    events = []
    for pep in Pep.objects.filter(child=child).order_by("created_at"):
        events.append(Event(timezone.localtime(pep.created_at).date(), "PEP", f"{pep.label} started"))
        if pep.meeting_held_on:
            events.append(Event(pep.meeting_held_on, "PEP", f"PEP meeting held ({pep.label})"))
        if pep.approved_at:
            events.append(Event(timezone.localtime(pep.approved_at).date(), "PEP", f"{pep.label} approved"))
    return events
