"""PEP meetings: when and where, who chairs, who is invited, and the record of what happened."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority
from core.roles import CHAIR_ROLES, SCHEDULER_ROLES, Role, role_choices
from peps.models import Pep


def new_uid() -> str:
    """A globally unique iCalendar UID; it never changes, so calendar apps can update the event."""
    return f"{uuid.uuid4().hex}@epep"


def default_scheduler_roles() -> list[str]:
    """Who arranges (schedules, moves, cancels) PEP meetings in an LA that has not chosen."""
    return [role.value for role in SCHEDULER_ROLES]


class MeetingSettings(models.Model):
    """How one LA runs PEP meetings. An LA without a row uses the defaults (the DT chairs;
    the designated teacher, the social worker and the Virtual School arrange meetings)."""

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE,
                                           related_name="meeting_settings")
    chair_role = models.CharField(max_length=20, choices=role_choices(CHAIR_ROLES), default=Role.DESIGNATED_TEACHER)
    # Role values from core.roles.SCHEDULER_ROLES; never empty (meeting_settings_set refuses
    # an empty list).
    scheduler_roles = models.JSONField(default=default_scheduler_roles)

    class Meta:
        verbose_name_plural = "meeting settings"

    def __str__(self) -> str:
        return f"Meeting settings of {self.local_authority}"


class Meeting(models.Model):
    class Format(models.TextChoices):
        IN_SCHOOL = "in_school", "In school (face to face)"
        ONLINE = "online", "Online"
        OTHER = "other", "Somewhere else"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    class Participation(models.TextChoices):
        ATTENDED = "attended", "Attended the meeting"
        VIEWS_BEFORE = "views_before", "Gave their views before the meeting"
        DECLINED = "declined", "Declined to take part"

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="meetings")
    # iCalendar: the UID stays the same for every update; SEQUENCE goes up by one each time.
    uid = models.CharField(max_length=80, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    format = models.CharField(max_length=10, choices=Format.choices)
    location = models.CharField("Place or link", max_length=500, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_reason = models.TextField(max_length=2000, blank=True)
    # The record of the meeting (set by meeting_record).
    held_on = models.DateField(null=True, blank=True)
    child_participation = models.CharField(max_length=14, choices=Participation.choices, blank=True)
    going_well = models.TextField(max_length=5000, blank=True)
    difficulties = models.TextField("Difficulties and concerns", max_length=5000, blank=True)
    support_in_place = models.TextField(max_length=5000, blank=True)
    pp_plus_impact = models.TextField("Impact of Pupil Premium Plus", max_length=5000, blank=True)
    next_meeting_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # A PEP has one live meeting at a time; a cancelled one may be followed by another.
            models.UniqueConstraint(fields=["pep"], condition=models.Q(status__in=["scheduled", "held"]),
                                    name="one_live_meeting_per_pep"),
        ]
        indexes = [
            # The child's page: the last face-to-face meeting held (joined through pep).
            models.Index(fields=["pep", "status", "format"], name="meeting_pep_status_idx"),
            # Home panels: upcoming scheduled meetings by time.
            models.Index(fields=["status", "starts_at"], name="meeting_upcoming_idx"),
        ]

    def __str__(self) -> str:
        return f"PEP meeting {timezone.localtime(self.starts_at):%d %b %Y %H:%M}"

    @property
    def face_to_face(self) -> bool:
        """Seed 003: face-to-face means the meeting was in school."""
        return self.format == self.Format.IN_SCHOOL

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.CANCELLED


class Invitee(models.Model):
    """Someone invited: a member of the team (user) or a named other (parent, IRO, new school's DT)."""

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Did not attend"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=100, help_text="Like parent, IRO, new school's designated teacher")
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True, default="")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
