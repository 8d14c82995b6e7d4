"""Template tags that let other apps' pages show meetings without their views knowing about them:
the PEP's section E (`pep_meeting_panel`) and the child's page (`child_meeting_summary`)."""

from __future__ import annotations

from django import template
from django.db.models import Q
from django.utils import timezone

from core import calendar as school_calendar
from peps.policies import PepAccess, PepAction

from ..models import Meeting
from ..policies import can_ask_for_meeting, can_schedule, who_arranges

register = template.Library()


def _pep_access(context) -> PepAccess | None:
    """`pep_access` (a peps.policies.PepAccess) comes from the page's context; the PEP's own
    pages call it `access`, so that name is accepted too."""
    for name in ("pep_access", "access"):
        value = context.get(name)
        if isinstance(value, PepAccess):
            return value
    return None


@register.simple_tag(takes_context=True)
def pep_meeting_panel(context, pep) -> dict:
    pep_access = _pep_access(context)
    """The PEP's live meeting (scheduled or held), any cancelled ones, and what the person may do."""
    meetings = list(Meeting.objects.filter(pep=pep).select_related("chair").prefetch_related("invitees"))
    live = next((m for m in meetings if m.is_live), None)
    can = pep_access.can if pep_access is not None else (lambda action: False)
    arranges = pep_access is not None and can_schedule(pep_access)
    return {
        "meeting": live,
        "cancelled": [m for m in meetings if not m.is_live],
        "can_schedule": arranges and live is None,
        "can_change": arranges and live is not None and live.status == Meeting.Status.SCHEDULED,
        "can_record": can(PepAction.RECORD_MEETING) and live is not None,
        # A professional who cannot arrange it is told who can, and may ask them.
        "can_ask": pep_access is not None and live is None and can_ask_for_meeting(pep_access),
        "who": who_arranges(pep.child.local_authority) if pep.is_open and live is None and not arranges else "",
    }


@register.simple_tag
def child_meeting_summary(child) -> dict:
    """When the child's last PEP meeting, and last face-to-face one, were held; and whether
    none has been face to face in the last four terms (seed 003: at least once every four terms).

    The flag waits until the child has been in care for the whole four terms, so a child new
    to care is not flagged for meetings they could not yet have had.
    """
    today = timezone.localdate()
    # The held meetings (a few a year) and the next scheduled one, in one read.
    now = timezone.now()
    meetings = list(Meeting.objects.filter(
        Q(status=Meeting.Status.HELD, held_on__isnull=False)
        | Q(status=Meeting.Status.SCHEDULED, starts_at__gte=now), pep__child=child).order_by("-held_on", "-pk"))
    held = [m for m in meetings if m.status == Meeting.Status.HELD]
    last = held[0] if held else None
    last_face_to_face = next((m for m in held if m.format == Meeting.Format.IN_SCHOOL), None)
    window_start = school_calendar.four_terms_start(today, school_calendar.calendar_of(child.local_authority))
    # .all() so that a page that read the episodes already (the child's page) does not read them again.
    in_care_since = max((e.entered_care_on for e in child.care_episodes.all() if e.left_care_on is None),
                        default=None)
    long_enough = in_care_since is not None and in_care_since < window_start
    overdue = long_enough and (last_face_to_face is None or last_face_to_face.held_on is None
                               or last_face_to_face.held_on < window_start)
    upcoming = min((m for m in meetings if m.status == Meeting.Status.SCHEDULED),
                   key=lambda m: (m.starts_at, m.pk), default=None)
    return {"last": last, "last_face_to_face": last_face_to_face, "overdue": overdue,
            "window_start": window_start, "upcoming": upcoming}
