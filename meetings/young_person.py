"""The young person's next meeting, for their "My PEP" page (a peps.hooks.MY_PEP_NEXT_MEETING
hook, registered in MeetingsConfig.ready())."""

from __future__ import annotations

from django.utils import timezone

from children.models import Child
from core.text import lower_first
from peps.young_person import MyMeeting

from .models import Meeting


def next_meeting_of(child: Child) -> MyMeeting | None:
    meeting = (Meeting.objects.filter(pep__child=child, status=Meeting.Status.SCHEDULED,
                                      starts_at__gte=timezone.now())
               .prefetch_related("invitees").order_by("starts_at").first())
    if meeting is None:
        return None
    where = {"in_school": "At school", "online": "Online", "other": "Somewhere else"}.get(meeting.format, "")
    if meeting.location and meeting.format != "online":
        where = f"{where}: {meeting.location}"
    who = [f"{i.name} ({lower_first(i.role)})" for i in meeting.invitees.all()
           if i.role.lower() not in ("young person", "child", "the young person")]
    return MyMeeting(when=timezone.localtime(meeting.starts_at), where=where, who=who)
