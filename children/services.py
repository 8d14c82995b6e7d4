"""Every write about children and their teams. Each writes exactly one audit event."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from accounts.audit import Verb, audit_record, diff, snapshot
from accounts.models import User

from .models import CareEpisode, Child, ChildUserObjectPermission, SchoolPlacement, TeamMembership
from .policies import VIEW_PERMISSION

CHILD_FIELDS = (
    "la_reference", "first_name", "last_name", "preferred_name", "date_of_birth", "gender",
    "ethnicity", "first_language", "upn", "legal_status", "safeguarding_notes",
    "restricted_contacts",
)


def _view_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="children", codename=VIEW_PERMISSION)


@transaction.atomic
def child_create(*, actor: User | None, local_authority, **fields) -> Child:
    child = Child(local_authority=local_authority, **fields)
    child.full_clean()
    child.save()
    audit_record(actor=actor, verb=Verb.CREATED, obj=child, child_id=child.pk,
                 changes=diff({}, snapshot(child, CHILD_FIELDS)))
    return child


@transaction.atomic
def child_update(*, actor: User, child: Child, **fields) -> Child:
    before = snapshot(child, CHILD_FIELDS)
    for name, value in fields.items():
        if name in CHILD_FIELDS:
            setattr(child, name, value)
    child.full_clean()
    child.save()
    audit_record(actor=actor, verb=Verb.UPDATED, obj=child, child_id=child.pk,
                 changes=diff(before, snapshot(child, CHILD_FIELDS)))
    return child


def child_record_viewed(*, actor: User, child: Child, what: str = "record") -> None:
    """Reading a child's record is logged too."""
    audit_record(actor=actor, verb=Verb.VIEWED, obj=child, child_id=child.pk,
                 changes={"viewed": what})


@transaction.atomic
def care_episode_start(*, actor: User | None, child: Child, entered_care_on: dt.date,
                       reason: str = "") -> CareEpisode:
    episode = CareEpisode(child=child, entered_care_on=entered_care_on, reason=reason)
    episode.full_clean()
    episode.save()
    audit_record(actor=actor, verb=Verb.CREATED, obj=episode, child_id=child.pk,
                 changes={"entered_care_on": [None, entered_care_on.isoformat()], "reason": [None, reason]})
    return episode


@transaction.atomic
def care_episode_end(*, actor: User, episode: CareEpisode, left_care_on: dt.date) -> CareEpisode:
    episode.left_care_on = left_care_on
    episode.full_clean()
    episode.save(update_fields=["left_care_on"])
    audit_record(actor=actor, verb=Verb.UPDATED, obj=episode, child_id=episode.child_id,
                 changes={"left_care_on": [None, left_care_on.isoformat()]})
    return episode


@transaction.atomic
def placement_start(*, actor: User | None, child: Child, school, year_group: int,
                    started_on: dt.date, part_time_timetable: bool = False,
                    alternative_provision: str = "") -> SchoolPlacement:
    """Start a placement; the current one (if any) ends the day before."""
    ended = []
    for current in SchoolPlacement.objects.select_for_update().filter(child=child, ended_on__isnull=True):
        current.ended_on = max(current.started_on, started_on - dt.timedelta(days=1))
        current.save(update_fields=["ended_on"])
        ended.append(current.pk)
    placement = SchoolPlacement(
        child=child, school=school, year_group=year_group, started_on=started_on,
        part_time_timetable=part_time_timetable, alternative_provision=alternative_provision,
    )
    placement.full_clean()
    placement.save()
    audit_record(actor=actor, verb=Verb.CREATED, obj=placement, child_id=child.pk,
                 changes={"school": [None, school.pk], "year_group": [None, year_group],
                          "started_on": [None, started_on.isoformat()], "ended_placements": ended})
    return placement


@transaction.atomic
def placement_update(*, actor: User, placement: SchoolPlacement, **fields) -> SchoolPlacement:
    names = ("year_group", "part_time_timetable", "alternative_provision", "ended_on")
    before = snapshot(placement, names)
    for name in names:
        if name in fields:
            setattr(placement, name, fields[name])
    placement.full_clean()
    placement.save()
    audit_record(actor=actor, verb=Verb.UPDATED, obj=placement, child_id=placement.child_id,
                 changes=diff(before, snapshot(placement, names)))
    return placement


@transaction.atomic
def team_link(*, actor: User | None, child: Child, user: User, role: str,
              starts_on: dt.date | None = None) -> TeamMembership:
    """Link a person to the child's team and grant the per-child permission with it."""
    existing = TeamMembership.objects.filter(user=user, child=child, role=role, ends_on__isnull=True).first()
    if existing is not None:
        return existing
    link = TeamMembership(user=user, child=child, role=role,
                          starts_on=starts_on or timezone.localdate())
    link.full_clean()
    link.save()
    ChildUserObjectPermission.objects.get_or_create(
        user=user, content_object=child, permission=_view_permission()
    )
    audit_record(actor=actor, verb=Verb.LINKED, obj=link, child_id=child.pk,
                 changes={"user": [None, user.pk], "role": [None, role]})
    return link


@transaction.atomic
def team_unlink(*, actor: User, link: TeamMembership) -> TeamMembership:
    """End a link; the grant goes in the same transaction, so access ends at once."""
    link.ends_on = timezone.localdate()
    link.save(update_fields=["ends_on"])
    still_linked = TeamMembership.objects.filter(
        user_id=link.user_id, child_id=link.child_id, ends_on__isnull=True
    ).exists()
    if not still_linked:
        ChildUserObjectPermission.objects.filter(
            user_id=link.user_id, content_object_id=link.child_id,
            permission__codename=VIEW_PERMISSION,
        ).delete()
    audit_record(actor=actor, verb=Verb.UNLINKED, obj=link, child_id=link.child_id,
                 changes={"user": [link.user_id, None], "role": [link.role, None]})
    return link
