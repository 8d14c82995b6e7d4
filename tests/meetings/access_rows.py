"""Every meetings URL × every persona (see tests/access.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

TEAM = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK, admin_user=OK)
# Recording: the designated teacher and the Virtual School; the rest of the team 403.
ORGANISERS = dict(social_worker=FORBIDDEN, designated_teacher=OK, carer=FORBIDDEN, young_person=FORBIDDEN,
                  vs_officer=OK, admin_user=FORBIDDEN)
# Arranging (schedule, move, cancel): the LA's choice; by default the designated teacher, the
# social worker and the Virtual School. The rest of the team get the who-arranges page (a 403).
ARRANGERS = {**ORGANISERS, "social_worker": OK}
# "Ask them to arrange it": a professional in the team who cannot arrange it (here the LA
# admin); those who can arrange it, and the family, 403; outside the team 404.
ASKERS = dict(social_worker=FORBIDDEN, designated_teacher=FORBIDDEN, carer=FORBIDDEN, young_person=FORBIDDEN,
              vs_officer=FORBIDDEN, admin_user=OK)


def _pep(world):
    from peps.models import Pep
    from tests.meetings.factories import make_pep

    return Pep.objects.filter(child=world.child).first() or make_pep(world.child)


def _pep_kwargs(world):
    return {"pep_pk": _pep(world).pk}


def _meeting(world):
    from meetings.models import Invitee, Meeting

    pep = _pep(world)
    meeting = Meeting.objects.filter(pep=pep).first()
    if meeting is None:
        meeting = Meeting.objects.create(pep=pep, starts_at=timezone.now() + dt.timedelta(days=14),
                                         format=Meeting.Format.IN_SCHOOL, location="Room 4",
                                         chair=world.people["designated_teacher"])
        Invitee.objects.create(meeting=meeting, user=world.people["carer"], name="Carer",
                               email="carer@example.test", role="Carer")
    return {"pk": meeting.pk}


ROWS = [
    Row("meeting_schedule", ARRANGERS, kwargs=_pep_kwargs),
    Row("meeting_arrangement_request", ASKERS, kwargs=_pep_kwargs, method="post"),
    Row("meeting_detail", TEAM, kwargs=_meeting),
    Row("meeting_calendar_file", TEAM, kwargs=_meeting),
    Row("meeting_reschedule", ARRANGERS, kwargs=_meeting),
    Row("meeting_cancel", ARRANGERS, kwargs=_meeting),
    Row("meeting_record", ORGANISERS, kwargs=_meeting),
    # LA admins choose who chairs their LA's meetings.
    Row("meeting_settings", everyone(FORBIDDEN, admin_user=OK, other_la_admin=OK)),
]
assert NOT_FOUND
