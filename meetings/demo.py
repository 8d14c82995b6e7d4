"""Demo meetings for the demo LA's PEPs (peps.demo seeds the PEPs first).

Approved, submitted and returned PEPs get a held meeting (face to face in school for every
other child, so the child's page shows both a recent face-to-face meeting and the four-term
flag); draft PEPs get one scheduled a fortnight ahead. Rows are written directly, so seeding
sends no invitations. Idempotent: an LA that has meetings is left alone, and with no PEPs
(the PEP app not seeded yet) nothing happens.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import School, User
from core.roles import Role
from peps.models import Pep

from .models import Invitee, Meeting
from .services import team_people

LONDON = ZoneInfo("Europe/London")


def _chair(pep: Pep, people: dict[str, User]) -> User:
    school_id = pep.school_id
    chair = None
    if school_id is not None:
        chair = User.objects.filter(role=Role.DESIGNATED_TEACHER, school_id=school_id, is_active=True).first()
    return chair or people["vs@demo.test"]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LONDON)


def seed(la, schools: list[School], people: dict[str, User]) -> None:
    # Apps seeded later (deadlines, quality) add PEPs of their own; leaving the LA alone once
    # it has meetings keeps a second run from giving those PEPs meetings.
    if Meeting.objects.filter(pep__child__local_authority=la).exists():
        return
    peps = list(Pep.objects.filter(child__local_authority=la)
                .select_related("child").order_by("child__la_reference", "created_at", "pk"))
    today = timezone.localdate()
    children = sorted({p.child_id for p in peps})
    for pep in peps:
        chair = _chair(pep, people)
        # Half the children meet face to face; the rest online only, so some are flagged.
        face_to_face = children.index(pep.child_id) % 2 == 0
        held_on = pep.meeting_held_on
        if held_on is not None:
            meeting = Meeting.objects.create(
                pep=pep, starts_at=_at(held_on), format="in_school" if face_to_face else "online",
                location="Meeting room 1" if face_to_face else "https://meet.example.org/pep-demo",
                chair=chair, status=Meeting.Status.HELD, held_on=held_on, child_participation="attended",
                going_well="Settled in class and enjoying art and PE.",
                difficulties="Homework is not always handed in on time.",
                support_in_place="Weekly check-in with the designated teacher; maths tuition.",
                pp_plus_impact="Tuition has lifted the maths test score from 18 to 27 out of 40.",
                next_meeting_on=held_on + dt.timedelta(days=100), recorded_by=chair,
                recorded_at=_at(held_on, 16), created_by=chair, created_at=_at(held_on - dt.timedelta(days=14)))
            attendance = "attended"
        elif pep.status in Pep.OPEN_STATUSES:
            meeting = Meeting.objects.create(
                pep=pep, starts_at=_at(today + dt.timedelta(days=14)), format="in_school",
                location="Meeting room 1", chair=chair, created_by=chair)
            attendance = ""
        else:
            continue
        invitees = [Invitee(meeting=meeting, user=p.user, name=p.user.full_name, email=p.user.email, role=p.role,
                            attendance=attendance) for p in team_people(pep)]
        if not any(i.user_id == chair.pk for i in invitees):
            invitees.insert(0, Invitee(meeting=meeting, user=chair, name=chair.full_name, email=chair.email,
                                       role="Chair", attendance=attendance))
        invitees.append(Invitee(meeting=meeting, name="Morgan Reid", email="",
                                role="Independent reviewing officer (IRO)",
                                attendance="apologies" if attendance else ""))
        Invitee.objects.bulk_create(invitees)
