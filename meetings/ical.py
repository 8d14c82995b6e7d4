"""The iCalendar (.ics) invitation for a PEP meeting (RFC 5545 / iTIP RFC 5546).

Times are written in Europe/London with a VTIMEZONE, so a 10:00 meeting stays at 10:00 in
every calendar app whether it falls in GMT or British Summer Time. Scheduling and every
reschedule send METHOD:REQUEST with the meeting's one UID and a SEQUENCE that goes up by
one each time; cancelling sends METHOD:CANCEL with the same UID, so calendar apps update
or remove the event they already hold instead of adding another.

No child's name goes into the invitation (it travels by email): only the LA reference.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Meeting

LONDON = ZoneInfo("Europe/London")
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//ePEP//PEP meetings//EN"


def _address(email: str, name: str = "", **params) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    address.params.update(params)
    return address


def meeting_ics(meeting: Meeting, method: str = REQUEST) -> bytes:
    """The calendar file for `meeting`, for the given iTIP method (REQUEST or CANCEL)."""
    starts = meeting.starts_at.astimezone(LONDON)
    ends = meeting.ends_at.astimezone(LONDON)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"PEP meeting ({meeting.pep.child.la_reference})")
    event.add("description", "Personal Education Plan meeting. Sign in to ePEP for the details: "
                             + settings.SITE_URL + reverse("meeting_detail", args=[meeting.pk]))
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    chair = meeting.chair
    if chair is not None and chair.email:
        event.add("organizer", _address(chair.email, chair.full_name))
    for invitee in meeting.invitees.all():
        if invitee.email:
            event.add("attendee", _address(invitee.email, invitee.name, ROLE="REQ-PARTICIPANT",
                                           PARTSTAT="NEEDS-ACTION", RSVP="FALSE"))
    cal.add_component(event)
    # A VTIMEZONE for Europe/London covering the meeting (and a margin either side).
    cal.add_missing_timezones(first_date=starts.date() - dt.timedelta(days=366),
                              last_date=starts.date() + dt.timedelta(days=366))
    return cal.to_ical()
