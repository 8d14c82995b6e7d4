"""Every write about PEP meetings. Each service runs in one transaction, writes exactly one
audit event, and writes its emails (each with an .ics invitation) to the outbox in the same
transaction; the outbox delivers them after the commit.

Business rules live here and are raised as `ValidationError({field: message})`, so a view
can show them against its form's fields; `Refused` is for a request that makes no
sense in the meeting's current state (cancelling a held meeting, say).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from children.models import TeamMembership
from children.policies import relationship
from core import calendar as school_calendar
from core.audit import Verb, audit_record, diff, snapshot
from core.notifications import Attachment, outbox_enqueue
from core.refusals import Refused
from core.roles import CHAIR_ROLES, SCHEDULER_ROLES, Role
from core.text_limits import require_text_limits
from peps.models import Pep
from peps.policies import PepAction, rel_allows

from . import ical
from .models import Invitee, Meeting, MeetingSettings
from .policies import can_ask_for_meeting, rel_may_schedule, scheduler_roles

MEETING_FIELDS = ("starts_at", "duration_minutes", "format", "location", "chair", "status", "sequence")
RECORD_FIELDS = ("status", "held_on", "child_participation", "going_well", "difficulties", "support_in_place",
                 "pp_plus_impact", "next_meeting_on")


@dataclass(frozen=True)
class TeamPerson:
    user: User
    role: str

    @property
    def key(self) -> str:
        return str(self.user.pk)


# --------------------------------------------------------------------------------------
# Reads the services and forms share
# --------------------------------------------------------------------------------------


def settings_for(local_authority) -> MeetingSettings:
    """The LA's meeting settings, or the defaults (unsaved) when it never changed them."""
    return (MeetingSettings.objects.filter(local_authority=local_authority).first()
            or MeetingSettings(local_authority=local_authority))


def chair_candidates(pep: Pep) -> QuerySet[User]:
    """Who may chair this PEP's meeting, by the LA's setting: the school's designated
    teachers, or the LA's Virtual School officers."""
    active = User.objects.filter(is_active=True).order_by("full_name", "pk")
    if settings_for(pep.child.local_authority).chair_role == Role.VIRTUAL_SCHOOL:
        return active.filter(role=Role.VIRTUAL_SCHOOL, local_authority_id=pep.child.local_authority_id)
    # The designated teachers the child's LA linked to the child (children.policies decides
    # who they are; a teacher at the same school whom the LA did not link is not one).
    linked = TeamMembership.objects.filter(child_id=pep.child_id, role=Role.DESIGNATED_TEACHER,
                                           ends_on__isnull=True, starts_on__lte=timezone.localdate())
    return active.filter(role=Role.DESIGNATED_TEACHER, team_links__in=linked).distinct()


def team_people(pep: Pep) -> list[TeamPerson]:
    """The team around the child who can be invited: the people linked to the child
    (designated teachers included)."""
    today = timezone.localdate()
    links = (TeamMembership.objects.filter(child_id=pep.child_id, ends_on__isnull=True, starts_on__lte=today,
                                           user__is_active=True)
             .select_related("user").order_by("role", "user__full_name"))
    people = [TeamPerson(link.user, link.get_role_display()) for link in links]
    seen: set[int] = set()
    unique = []
    for person in people:
        if person.user.pk not in seen:
            seen.add(person.user.pk)
            unique.append(person)
    return unique


def live_meeting(pep: Pep) -> Meeting | None:
    return pep.meetings.filter(status__in=[Meeting.Status.SCHEDULED, Meeting.Status.HELD]).first()


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _locked_pep(pep_id: int) -> Pep:
    """Lock the PEP row: a meeting change and a workflow transition (submit) never interleave."""
    return Pep.objects.select_for_update().select_related("child", "child__local_authority").get(pk=pep_id)


# Arranging a meeting (schedule, move, cancel) is decided by meetings.policies.can_schedule.
ARRANGE = "arrange_meeting"


def _require(actor: User | None, pep: Pep, action: str) -> None:
    if actor is None:  # the system (demo data)
        if not pep.is_open:
            raise Refused("This PEP is not open, so its meeting cannot be changed.")
        return
    rel = relationship(actor, pep.child)
    allowed = rel_may_schedule(rel, pep) if action == ARRANGE else rel is not None and rel_allows(rel, pep, action)
    if not allowed:
        raise PermissionDenied


def _when(meeting: Meeting) -> str:
    local = timezone.localtime(meeting.starts_at)
    return f"{date_format(local.date(), 'l j F Y')} at {local:%H:%M}"


def _check_time(starts_at: dt.datetime, duration_minutes: int) -> None:
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if starts_at <= timezone.now():
        raise ValidationError({"date": "The date and time of the meeting must be in the future"})
    if not 15 <= duration_minutes <= 240:
        raise ValidationError({"duration_minutes": "The meeting must last between 15 minutes and 4 hours"})


def _check_place(format_: str, location: str) -> None:
    if format_ not in Meeting.Format.values:
        raise ValidationError({"format": "Select where the meeting will be"})
    if format_ == Meeting.Format.ONLINE and not location:
        raise ValidationError({"location": "Enter the link to the online meeting"})
    if format_ == Meeting.Format.OTHER and not location:
        raise ValidationError({"location": "Enter where the meeting will be"})


def _send_invitations(meeting: Meeting, method: str, subject: str, opening: str) -> None:
    """Email every invitee with an address, each with the .ics attached: written to the
    outbox in the caller's transaction, delivered after the commit."""
    ics = ical.meeting_ics(meeting, method)
    link = settings.SITE_URL + reverse("meeting_detail", args=[meeting.pk])
    where = meeting.get_format_display()
    if meeting.location:
        where += f": {meeting.location}"
    body = "\n\n".join([
        opening,
        f"When: {_when(meeting)} (UK time), for {meeting.duration_minutes} minutes",
        f"Where: {where}",
        "The calendar invitation is attached.",
        f"If you have an ePEP login, sign in to see the PEP: {link}",
        "This is an automatic message from ePEP.",
    ])
    recipients = sorted({i.email.lower() for i in meeting.invitees.all() if i.email})
    invitation = Attachment("pep-meeting.ics", ics.decode("utf-8"), f"text/calendar; method={method}; charset=UTF-8")
    for to in recipients:
        outbox_enqueue(to=to, subject=subject, body=body, attachments=[invitation])


# --------------------------------------------------------------------------------------
# Schedule, reschedule, cancel
# --------------------------------------------------------------------------------------


# The most people one meeting invites (the team around the child and a few others).
MAX_INVITEES = 30


@transaction.atomic
def meeting_schedule(*, actor: User | None, pep: Pep, starts_at: dt.datetime, duration_minutes: int = 60,
                     format: str, location: str = "", chair: User, team_user_ids: list[int] | None = None,
                     others: list[dict] | None = None) -> Meeting:
    """Schedule the PEP's meeting and invite the chosen team members and named others.

    `others` are people without a login (or outside the team), each a dict with `name`,
    `role` and optionally `email`. The chair is always invited.
    """
    pep = _locked_pep(pep.pk)
    _require(actor, pep, ARRANGE)
    location = (location or "").strip()
    _check_time(starts_at, duration_minutes)
    _check_place(format, location)
    if not chair_candidates(pep).filter(pk=chair.pk).exists():
        raise ValidationError({"chair": "Select who will chair the meeting"})
    if live_meeting(pep) is not None:
        raise Refused("This PEP already has a meeting. Reschedule or cancel it instead.")
    named_others = [o for o in others or [] if (o.get("name") or "").strip()]
    if len(set(team_user_ids or []) | {chair.pk}) + len(named_others) > MAX_INVITEES:
        raise Refused(f"A meeting can have at most {MAX_INVITEES} people invited. Invite fewer people.")
    for n, other in enumerate(named_others, start=1):
        require_text_limits(Invitee, {"name": other.get("name", "").strip(), "role": other.get("role", "").strip()},
                            field_names={"name": f"other_{n}_name", "role": f"other_{n}_role"})
    meeting = Meeting.objects.create(pep=pep, starts_at=starts_at, duration_minutes=duration_minutes,
                                     format=format, location=location, chair=chair, created_by=actor)
    team = {p.user.pk: p for p in team_people(pep)}
    wanted = [uid for uid in (team_user_ids or []) if uid in team]
    if chair.pk not in wanted:
        wanted.insert(0, chair.pk)
        team.setdefault(chair.pk, TeamPerson(chair, "Chair"))
    invitees = [Invitee(meeting=meeting, user=team[uid].user, name=team[uid].user.full_name,
                        email=team[uid].user.email, role=team[uid].role) for uid in wanted]
    for other in others or []:
        name = (other.get("name") or "").strip()
        if name:
            invitees.append(Invitee(meeting=meeting, name=name, email=(other.get("email") or "").strip(),
                                    role=(other.get("role") or "Other").strip()))
    Invitee.objects.bulk_create(invitees)
    audit_record(actor=actor, verb=Verb.CREATED, obj=meeting, child_id=pep.child_id,
                 changes={**diff({}, snapshot(meeting, MEETING_FIELDS)),
                          "pep": [None, pep.pk],
                          "invitees": [None, [f"{i.name} ({i.role})" for i in invitees]]})
    _send_invitations(meeting, ical.REQUEST, f"PEP meeting invitation: {_when(meeting)}",
                      f"You are invited to a Personal Education Plan (PEP) meeting for child "
                      f"{pep.child.la_reference}.")
    return meeting


@transaction.atomic
def meeting_reschedule(*, actor: User | None, meeting: Meeting, starts_at: dt.datetime,
                       duration_minutes: int | None = None, format: str | None = None,
                       location: str | None = None) -> Meeting:
    """Move a scheduled meeting. The invitees get an update with the same UID and SEQUENCE + 1."""
    pep = _locked_pep(meeting.pep_id)
    _require(actor, pep, ARRANGE)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Refused(f"This meeting is {meeting.get_status_display().lower()}, so it cannot be moved.")
    duration_minutes = meeting.duration_minutes if duration_minutes is None else duration_minutes
    format = meeting.format if format is None else format
    location = meeting.location if location is None else location.strip()
    _check_time(starts_at, duration_minutes)
    _check_place(format, location)
    before = snapshot(meeting, MEETING_FIELDS)
    meeting.starts_at, meeting.duration_minutes = starts_at, duration_minutes
    meeting.format, meeting.location = format, location
    meeting.sequence += 1
    meeting.save(update_fields=["starts_at", "duration_minutes", "format", "location", "sequence"])
    meeting.pep = pep
    audit_record(actor=actor, verb=Verb.UPDATED, obj=meeting, child_id=pep.child_id,
                 changes=diff(before, snapshot(meeting, MEETING_FIELDS)))
    _send_invitations(meeting, ical.REQUEST, f"PEP meeting moved: now {_when(meeting)}",
                      f"The Personal Education Plan (PEP) meeting for child {pep.child.la_reference} has moved.")
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User | None, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting; invitees get METHOD:CANCEL with the same UID."""
    pep = _locked_pep(meeting.pep_id)
    _require(actor, pep, ARRANGE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    require_text_limits(Meeting, {"cancelled_reason": reason}, field_names={"cancelled_reason": "reason"})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise Refused(f"This meeting is {meeting.get_status_display().lower()}, so it cannot be cancelled.")
    before = snapshot(meeting, (*MEETING_FIELDS, "cancelled_reason"))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_reason = reason
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_reason", "sequence"])
    meeting.pep = pep
    audit_record(actor=actor, verb=Verb.TRANSITIONED, obj=meeting, child_id=pep.child_id,
                 changes=diff(before, snapshot(meeting, (*MEETING_FIELDS, "cancelled_reason"))))
    # The reason stays in ePEP: email carries no more about the child than it needs to.
    _send_invitations(meeting, ical.CANCEL, f"PEP meeting cancelled: {_when(meeting)}",
                      f"The Personal Education Plan (PEP) meeting for child {pep.child.la_reference} "
                      "has been cancelled.")
    return meeting


# --------------------------------------------------------------------------------------
# Recording the meeting
# --------------------------------------------------------------------------------------


def check_next_meeting(pep: Pep, held_on: dt.date, next_meeting_on: dt.date | None) -> None:
    """The next meeting falls in the next term, except after a concern review (any later date)."""
    if next_meeting_on is None:
        raise ValidationError({"next_meeting_on": "Enter the date of the next PEP meeting"})
    if next_meeting_on <= held_on:
        raise ValidationError({"next_meeting_on": "The next PEP meeting must be after this one"})
    if pep.kind == Pep.Kind.CONCERN:
        return
    term = school_calendar.next_term(held_on, school_calendar.calendar_of(pep.child.local_authority))
    if next_meeting_on not in term:
        raise ValidationError({"next_meeting_on": (
            f"The next PEP meeting must be in the next term (the {term.label}, "
            f"{date_format(term.starts_on, 'j F Y')} to {date_format(term.ends_on, 'j F Y')})"
        )})


@transaction.atomic
def meeting_record(*, actor: User | None, meeting: Meeting, held_on: dt.date, child_participation: str,
                   attendance: dict[int, str] | None = None, going_well: str = "", difficulties: str = "",
                   support_in_place: str = "", pp_plus_impact: str = "",
                   next_meeting_on: dt.date | None = None) -> Meeting:
    """Record what happened. Sets the PEP's `meeting_held_on` in the same transaction and event."""
    pep = _locked_pep(meeting.pep_id)
    _require(actor, pep, PepAction.RECORD_MEETING)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise Refused("This meeting was cancelled, so it cannot be recorded. Schedule a new one.")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date the meeting was held must be today or in the past"})
    if child_participation not in Meeting.Participation.values:
        raise ValidationError({"child_participation": "Select how the child or young person took part"})
    require_text_limits(Meeting, going_well=going_well, difficulties=difficulties,
                        support_in_place=support_in_place, pp_plus_impact=pp_plus_impact)
    texts = {"going_well": going_well, "difficulties": difficulties, "support_in_place": support_in_place}
    messages = {"going_well": "Enter what is going well",
                "difficulties": "Enter the difficulties and concerns, or ‘None’",
                "support_in_place": "Enter the support in place"}
    for name, value in texts.items():
        if not (value or "").strip():
            raise ValidationError({name: messages[name]})
    check_next_meeting(pep, held_on, next_meeting_on)
    invitees = list(meeting.invitees.all())
    attendance = attendance or {}
    for invitee in invitees:
        if attendance.get(invitee.pk, invitee.attendance) not in Invitee.Attendance.values:
            raise ValidationError({f"attendance_{invitee.pk}": f"Select whether {invitee.name} attended"})

    before = snapshot(meeting, RECORD_FIELDS)
    meeting.status = Meeting.Status.HELD
    meeting.held_on = held_on
    meeting.child_participation = child_participation
    meeting.going_well = going_well.strip()
    meeting.difficulties = difficulties.strip()
    meeting.support_in_place = support_in_place.strip()
    meeting.pp_plus_impact = (pp_plus_impact or "").strip()
    meeting.next_meeting_on = next_meeting_on
    meeting.recorded_by = actor if getattr(actor, "pk", None) else None
    meeting.recorded_at = timezone.now()
    meeting.save()
    changes = diff(before, snapshot(meeting, RECORD_FIELDS))

    changed = []
    for invitee in invitees:
        value = attendance.get(invitee.pk, invitee.attendance)
        if value != invitee.attendance:
            changes[f"attendance:{invitee.name}"] = [invitee.attendance, value]
            invitee.attendance = value
            changed.append(invitee)
    Invitee.objects.bulk_update(changed, ["attendance"])

    # The deadlines count the PEP as met by this date. A filtered update: only an open PEP changes.
    old_held_on = pep.meeting_held_on
    if Pep.objects.filter(pk=pep.pk, status__in=[Pep.Status.DRAFT, Pep.Status.RETURNED]) \
            .update(meeting_held_on=held_on) == 0:
        raise Refused("This PEP is no longer open, so its meeting cannot be recorded.")
    pep.meeting_held_on = held_on
    if old_held_on != held_on:
        changes["pep.meeting_held_on"] = [old_held_on, held_on]
    meeting.pep = pep
    audit_record(actor=actor, verb=Verb.UPDATED, obj=meeting, child_id=pep.child_id,
                 changes={**changes, "recorded": [None, True]})
    return meeting


SETTINGS_FIELDS = ("chair_role", "scheduler_roles")


@transaction.atomic
def meeting_settings_set(*, actor: User, local_authority, chair_role: str,
                         scheduler_roles: list[str] | None = None) -> MeetingSettings:
    """Who chairs the LA's PEP meetings and which roles arrange them (None keeps the roles as they are)."""
    errors = {}
    if chair_role not in CHAIR_ROLES:
        errors["chair_role"] = "Select who chairs PEP meetings"
    if scheduler_roles is not None and (not scheduler_roles
                                        or any(r not in SCHEDULER_ROLES for r in scheduler_roles)):
        errors["scheduler_roles"] = "Select at least one role that can arrange PEP meetings"
    if errors:
        raise ValidationError(errors)
    row, _created = MeetingSettings.objects.select_for_update().get_or_create(local_authority=local_authority)
    before = snapshot(row, SETTINGS_FIELDS)
    row.chair_role = chair_role
    if scheduler_roles is not None:
        row.scheduler_roles = [r.value for r in SCHEDULER_ROLES if r in scheduler_roles]
    row.save(update_fields=list(SETTINGS_FIELDS))
    local_authority.__dict__.pop("_scheduler_roles", None)
    audit_record(actor=actor, verb=Verb.UPDATED, obj=row, changes=diff(before, snapshot(row, SETTINGS_FIELDS)))
    return row


# --------------------------------------------------------------------------------------
# Asking the people who arrange meetings to arrange this one
# --------------------------------------------------------------------------------------


def schedulers_of(pep: Pep) -> list[User]:
    """The people in this child's team who may arrange the PEP's meeting: those linked to the
    child in a role the LA chose, and, where the Virtual School arranges meetings, the child's
    LA's Virtual School officers linked to the child (all of that LA's officers if none is)."""
    roles = scheduler_roles(pep.child.local_authority)
    today = timezone.localdate()
    linked = (User.objects.filter(is_active=True, team_links__child_id=pep.child_id,
                                  team_links__role__in=roles, team_links__ends_on__isnull=True,
                                  team_links__starts_on__lte=today).distinct().order_by("full_name", "pk"))
    people = list(linked)
    if Role.VIRTUAL_SCHOOL in roles and not any(p.role == Role.VIRTUAL_SCHOOL for p in people):
        people += list(User.objects.filter(is_active=True, role=Role.VIRTUAL_SCHOOL,
                                           local_authority_id=pep.child.local_authority_id)
                       .order_by("full_name", "pk"))
    # The policy has the last word (a teacher no longer at the child's school is not one).
    return [p for p in people if p.email and rel_may_schedule(relationship(p, pep.child), pep)]


@transaction.atomic
def meeting_arrangement_request(*, actor: User, pep: Pep) -> list[User]:
    """Email the people who arrange this PEP's meeting, asking them to arrange it (through
    the outbox, in this transaction), and write one audit event. Returns who was asked."""
    from peps.policies import PepAccess

    pep = _locked_pep(pep.pk)
    rel = relationship(actor, pep.child)
    if rel is None or not can_ask_for_meeting(PepAccess(pep=pep, relationship=rel)):
        raise PermissionDenied
    if live_meeting(pep) is not None:
        raise Refused("This PEP's meeting has already been arranged.")
    asked = schedulers_of(pep)
    if not asked:
        raise Refused("Nobody who arranges PEP meetings has an ePEP login for this child yet. "
                             "Ask your ePEP administrator.")
    link = settings.SITE_URL + reverse("pep_detail", args=[pep.pk])
    subject = f"Please arrange the PEP meeting for child {pep.child.la_reference}"
    body = "\n\n".join([
        f"{actor.full_name} ({actor.get_role_display().lower()}) has asked you to arrange the Personal "
        f"Education Plan (PEP) meeting for child {pep.child.la_reference}.",
        f"Sign in to ePEP to schedule it: {link}",
        "This is an automatic message from ePEP.",
    ])
    for person in asked:
        outbox_enqueue(to=person.email, subject=subject, body=body)
    audit_record(actor=actor, verb=Verb.CREATED, object_type="meetings.arrangementrequest", object_id=pep.pk,
                 child_id=pep.child_id, changes={"asked": [None, [p.email for p in asked]]})
    return asked
