"""Meetings in a child's chronology (education.chronology's registry; one query).

Held meetings are already there as the PEP's meeting (peps.chronology); this adds the
planned and the cancelled ones.
"""

from __future__ import annotations

from django.utils import timezone

from education.chronology import Event

from .models import Meeting


def meeting_events(child, professional: bool) -> list[Event]:
    events = []
    for m in Meeting.objects.filter(pep__child=child).exclude(status=Meeting.Status.HELD).order_by("starts_at"):
        when = timezone.localtime(m.starts_at)
        if m.status == Meeting.Status.CANCELLED:
            text = "PEP meeting cancelled" + (f": {m.cancelled_reason}" if professional and m.cancelled_reason else "")
        else:
            text = f"PEP meeting planned for {when:%H:%M} ({m.get_format_display().lower()})"
        events.append(Event(when.date(), "Meeting", text))
    return events
