"""What about the meeting stops a PEP being submitted (a peps.hooks.BEFORE_SUBMIT hook,
registered in MeetingsConfig.ready(); called by peps.services.workflow.pep_submit).

The PEP app already says when no meeting date is recorded; this adds what only the meeting
record knows: a meeting that is booked and has happened but has not been written up.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from peps.models import Pep

from .models import Meeting


def problems_before_submit(pep: Pep) -> list[str]:
    problems: list[str] = []
    scheduled = pep.meetings.filter(status=Meeting.Status.SCHEDULED).first()
    if scheduled is not None and pep.meeting_held_on is None:
        when = date_format(timezone.localtime(scheduled.starts_at).date(), "j F Y")
        problems.append(f"Record what happened at the PEP meeting of {when}")
    return problems
