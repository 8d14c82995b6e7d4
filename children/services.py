"""Every write about children and their teams. Each writes exactly one audit event.

Services check that the data make sense (dates in order, the right kind of person for a
team role); whether the actor may do it at all is the policy's question, asked by the
view before it calls the service (children.policies.get_child_for).

The CSV import is one service too (`children_import`, at the end); reading and checking
the file before anything is written is children/importer.py's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import LocalAuthority, School, User
from core.audit import Verb, audit_record, diff, snapshot
from core.models import AuditEvent
from core.request_context import current_request_id
from core.roles import Role
from core.text_limits import require_text_limits

from .importer import ImportResult, RowError, RowPlan, check_file
from .models import AccessRequest, CareEpisode, Child, ChildUserObjectPermission, SchoolPlacement, TeamMembership
from .policies import VIEW_PERMISSION, team_link_problem

CHILD_FIELDS = (
    "la_reference", "first_name", "last_name", "preferred_name", "date_of_birth", "gender",
    "ethnicity", "first_language", "upn", "legal_status", "safeguarding_notes",
    "restricted_contacts",
)
PLACEMENT_FIELDS = ("year_group", "part_time_timetable", "alternative_provision", "ended_on")

def _view_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="children", codename=VIEW_PERMISSION)


# ---- the child ----------------------------------------------------------------------------


def _check_reference(child: Child) -> None:
    taken = Child.objects.filter(local_authority_id=child.local_authority_id,
                                 la_reference=child.la_reference).exclude(pk=child.pk)
    if child.la_reference and taken.exists():
        raise ValidationError({"la_reference": "Another child in this local authority has this reference"})


@transaction.atomic
def child_create(*, actor: User | None, local_authority, **fields) -> Child:
    child = Child(local_authority=local_authority, **fields)
    child.upn = (child.upn or "").strip().upper()
    _check_reference(child)
    require_text_limits(child)
    child.full_clean()
    child.save()
    audit_record(actor=actor, verb=Verb.CREATED, obj=child, child_id=child.pk,
                 changes=diff({}, snapshot(child, CHILD_FIELDS)))
    return child


@transaction.atomic
def child_update(*, actor: User | None, child: Child, **fields) -> Child:
    """Change the child's details. Nothing changed means nothing saved and nothing audited."""
    before = snapshot(child, CHILD_FIELDS)
    original = {name: getattr(child, name) for name in CHILD_FIELDS}
    try:
        for name, value in fields.items():
            if name in CHILD_FIELDS:
                setattr(child, name, value)
        child.upn = (child.upn or "").strip().upper()
        _check_reference(child)
        require_text_limits(child)
        child.full_clean()
    except ValidationError:
        # The caller's object is left as it was stored, so a re-rendered page shows no unsaved values.
        for name, value in original.items():
            setattr(child, name, value)
        raise
    changes = diff(before, snapshot(child, CHILD_FIELDS))
    if not changes:
        return child
    child.save()
    audit_record(actor=actor, verb=Verb.UPDATED, obj=child, child_id=child.pk, changes=changes)
    return child


def child_record_viewed(*, actor: User, child: Child, what: str = "record") -> None:
    """Reading a child's record is logged too."""
    audit_record(actor=actor, verb=Verb.VIEWED, obj=child, child_id=child.pk,
                 changes={"viewed": what})


# ---- the date rules, once: the services refuse with them and the forms report them with
# their other errors (children.forms), so the GOV.UK error summary lists every problem at once.


def entered_care_errors(*, child: Child, entered_care_on: dt.date) -> dict[str, str]:
    """The date a time in care began: not before the child was born. (A date in the future
    is the forms' check, against the day they are filled in: children.forms, section A's
    peps.care_record.check_record; imports and the system record what their files say.)"""
    if entered_care_on < child.date_of_birth:
        return {"entered_care_on": "The date they entered care must be on or after their date of birth"}
    return {}


def care_episode_start_errors(*, child: Child, entered_care_on: dt.date,
                              episodes: list[CareEpisode] | None = None) -> dict[str, str]:
    """What is wrong with a new time in care starting on `entered_care_on` ({} when nothing)."""
    if episodes is None:
        episodes = list(CareEpisode.objects.filter(child=child))
    if any(e.left_care_on is None for e in episodes):
        return {"entered_care_on": "This child is already in care: record when they left "
                                   "care before adding a new time in care"}
    last_left = max((e.left_care_on for e in episodes if e.left_care_on is not None), default=None)
    if last_left is not None and entered_care_on <= last_left:
        return {"entered_care_on": f"The date they entered care must be after they last left "
                                   f"care ({last_left:%-d %B %Y})"}
    return entered_care_errors(child=child, entered_care_on=entered_care_on)


def care_episode_end_errors(*, episode: CareEpisode, left_care_on: dt.date) -> dict[str, str]:
    if episode.left_care_on is not None:
        return {"left_care_on": "This time in care has already ended"}
    if left_care_on < episode.entered_care_on:
        return {"left_care_on": f"The date they left care must be on or after they entered care "
                                f"({episode.entered_care_on:%-d %B %Y})"}
    return {}


def placement_start_errors(*, child: Child, started_on: dt.date,
                           current: list[SchoolPlacement] | None = None) -> dict[str, str]:
    if started_on < child.date_of_birth:
        return {"started_on": "The start date must be on or after their date of birth"}
    if current is None:
        current = list(SchoolPlacement.objects.filter(child=child, ended_on__isnull=True))
    for placement in current:
        if started_on <= placement.started_on:
            return {"started_on": f"The start date must be after the current placement started "
                                  f"({placement.started_on:%-d %B %Y})"}
    return {}


def placement_end_errors(*, placement: SchoolPlacement, ended_on: dt.date) -> dict[str, str]:
    if placement.ended_on is not None:
        return {"ended_on": "This placement has already ended"}
    if ended_on < placement.started_on:
        return {"ended_on": f"The end date must be on or after the placement started "
                            f"({placement.started_on:%-d %B %Y})"}
    if ended_on > timezone.localdate():
        # An end date, once recorded, ends the school's access at once, so it cannot be in the future.
        return {"ended_on": "The end date must be today or in the past"}
    return {}


# ---- time in care ---------------------------------------------------------------------------


@transaction.atomic
def care_episode_start(*, actor: User | None, child: Child, entered_care_on: dt.date,
                       reason: str = "") -> CareEpisode:
    """The child entered (or re-entered) care. One episode at a time."""
    episodes = list(CareEpisode.objects.select_for_update().filter(child=child))
    if errors := care_episode_start_errors(child=child, entered_care_on=entered_care_on, episodes=episodes):
        raise ValidationError(errors)
    episode = CareEpisode(child=child, entered_care_on=entered_care_on, reason=reason)
    episode.full_clean()
    episode.save()
    audit_record(actor=actor, verb=Verb.CREATED, obj=episode, child_id=child.pk,
                 changes={"entered_care_on": [None, entered_care_on.isoformat()], "reason": [None, reason]})
    return episode


@transaction.atomic
def care_episode_update(*, actor: User | None, episode: CareEpisode, entered_care_on: dt.date) -> CareEpisode:
    """Correct the date an episode began (the import uses it when the file says otherwise)."""
    before = snapshot(episode, ("entered_care_on",))
    if errors := entered_care_errors(child=episode.child, entered_care_on=entered_care_on):
        raise ValidationError(errors)
    episode.entered_care_on = entered_care_on
    if episode.left_care_on is not None and episode.left_care_on < entered_care_on:
        raise ValidationError({"entered_care_on": "The date they entered care must be before they left care"})
    episode.full_clean()
    episode.save(update_fields=["entered_care_on"])
    audit_record(actor=actor, verb=Verb.UPDATED, obj=episode, child_id=episode.child_id,
                 changes=diff(before, snapshot(episode, ("entered_care_on",))))
    return episode


@transaction.atomic
def care_episode_end(*, actor: User | None, episode: CareEpisode, left_care_on: dt.date) -> CareEpisode:
    if errors := care_episode_end_errors(episode=episode, left_care_on=left_care_on):
        raise ValidationError(errors)
    episode.left_care_on = left_care_on
    episode.full_clean()
    episode.save(update_fields=["left_care_on"])
    audit_record(actor=actor, verb=Verb.UPDATED, obj=episode, child_id=episode.child_id,
                 changes={"left_care_on": [None, left_care_on.isoformat()]})
    return episode


# ---- schools and settings ---------------------------------------------------------------------


@transaction.atomic
def placement_start(*, actor: User | None, child: Child, school: School, year_group: int,
                    started_on: dt.date, part_time_timetable: bool = False,
                    alternative_provision: str = "") -> SchoolPlacement:
    """Start a placement; the current one (if any) ends the day before.

    The old school's designated teachers are unlinked (whoever linked them), and the new
    school's designated teachers registered by the child's own LA are linked: the LA's
    placement is its grant. A teacher registered by another LA is never linked here.
    """
    ended = []
    currents = list(SchoolPlacement.objects.select_for_update().filter(child=child, ended_on__isnull=True))
    if errors := placement_start_errors(child=child, started_on=started_on, current=currents):
        raise ValidationError(errors)
    for current in currents:
        current.ended_on = started_on - dt.timedelta(days=1)
        current.save(update_fields=["ended_on"])
        ended.append(current.pk)
    placement = SchoolPlacement(
        child=child, school=school, year_group=year_group, started_on=started_on,
        part_time_timetable=part_time_timetable, alternative_provision=alternative_provision,
    )
    placement.full_clean()
    placement.save()
    changes = {"school": [None, school.pk], "year_group": [None, year_group],
               "started_on": [None, started_on.isoformat()],
               "part_time_timetable": [None, part_time_timetable],
               "alternative_provision": [None, alternative_provision],
               "ended_placements": ended}
    changes.update(_designated_teachers_follow(child=child, placement=placement))
    audit_record(actor=actor, verb=Verb.CREATED, obj=placement, child_id=child.pk, changes=changes)
    return placement


@transaction.atomic
def placement_update(*, actor: User | None, placement: SchoolPlacement, **fields) -> SchoolPlacement:
    """Change the year group, timetable or provision (and, for corrections, the end date)."""
    before = snapshot(placement, PLACEMENT_FIELDS)
    for name in PLACEMENT_FIELDS:
        if name in fields:
            setattr(placement, name, fields[name])
    placement.full_clean()
    changes = diff(before, snapshot(placement, PLACEMENT_FIELDS))
    if not changes:
        return placement
    placement.save()
    if placement.ended_on is not None and "ended_on" in changes:
        changes.update(_designated_teachers_follow(child=placement.child, placement=None))
    audit_record(actor=actor, verb=Verb.UPDATED, obj=placement, child_id=placement.child_id, changes=changes)
    return placement


@transaction.atomic
def placement_end(*, actor: User | None, placement: SchoolPlacement, ended_on: dt.date) -> SchoolPlacement:
    """End the current placement. The school's designated teacher loses access at once."""
    if errors := placement_end_errors(placement=placement, ended_on=ended_on):
        raise ValidationError(errors)
    placement.ended_on = ended_on
    placement.full_clean()
    placement.save(update_fields=["ended_on"])
    changes = {"ended_on": [None, ended_on.isoformat()]}
    changes.update(_designated_teachers_follow(child=placement.child, placement=None))
    audit_record(actor=actor, verb=Verb.UPDATED, obj=placement, child_id=placement.child_id, changes=changes)
    return placement


# ---- designated teachers: linked by the child's own LA ------------------------------------------------


def _designated_teachers_registered_by(*, la_id: int, school_id: int):
    """The designated teachers the LA itself registered at a school (the only ones it links
    automatically)."""
    return User.objects.filter(role=Role.DESIGNATED_TEACHER, is_active=True, local_authority_id=la_id,
                               school_id=school_id).order_by("pk")


def _dt_link_start(placement: SchoolPlacement) -> dt.date:
    # The link starts with the placement (the deadline jobs look back), but a placement
    # recorded ahead of time gives access from today, as the placement itself does.
    return min(placement.started_on, timezone.localdate())


def _designated_teachers_follow(*, child: Child, placement: SchoolPlacement | None) -> dict:
    """The child's designated-teacher links follow the current placement: those of any other
    school end (whoever made them), and the LA's own teachers at the new school are linked.
    The changes, for the placement's one audit event (nothing when nothing changed)."""
    keep_school_id = placement.school_id if placement is not None else None
    unlinked = []
    for link in TeamMembership.objects.filter(child=child, role=Role.DESIGNATED_TEACHER,
                                              ends_on__isnull=True).select_related("user"):
        if keep_school_id is None or link.user.school_id != keep_school_id:
            _end_link(link)
            unlinked.append(link.user_id)
    linked = []
    if placement is not None:
        for teacher in _designated_teachers_registered_by(la_id=child.local_authority_id,
                                                          school_id=placement.school_id):
            if _link(child=child, user=teacher, role=Role.DESIGNATED_TEACHER,
                     starts_on=_dt_link_start(placement)) is not None:
                linked.append(teacher.pk)
    changes = {}
    if unlinked:
        changes["designated_teachers_unlinked"] = [unlinked, None]
    if linked:
        changes["designated_teachers_linked"] = [None, linked]
    return changes


def designated_teacher_registered(*, actor: User | None, user: User) -> dict:
    """A designated teacher was registered (people page, bulk CSV or an approved login request):
    link them to the children of the LA that registered them placed at their school.

    Called by accounts.services through the accounts.hooks.PERSON_REGISTERED hook, inside the
    registration's transaction; the children linked go into the registration's one audit
    event. A teacher registered at a school where only other LAs' children are placed is
    linked to none of them: those LAs decide.
    """
    if user.role != Role.DESIGNATED_TEACHER or user.school_id is None or user.local_authority_id is None:
        return {}
    placements = (SchoolPlacement.objects.filter(school_id=user.school_id, ended_on__isnull=True,
                                                 child__local_authority_id=user.local_authority_id)
                  .select_related("child__local_authority").order_by("child_id"))
    linked = [p.child_id for p in placements
              if _link(child=p.child, user=user, role=Role.DESIGNATED_TEACHER,
                       starts_on=_dt_link_start(p)) is not None]
    return {"linked_children": [None, linked]} if linked else {}


# ---- access requests and grants, decided by the child's LA --------------------------------------------


@transaction.atomic
def access_request_create(*, requester: User, local_authority: LocalAuthority, first_name: str,
                          last_name: str, date_of_birth: dt.date, reason: str) -> AccessRequest:
    """A designated teacher asks the named LA for access to a named child. Nothing is looked
    up for the requester: whether such a child exists is for the LA to see."""
    access_request = AccessRequest(requester=requester, local_authority=local_authority,
                                   first_name=first_name.strip(), last_name=last_name.strip(),
                                   date_of_birth=date_of_birth, reason=reason.strip())
    access_request.full_clean()
    access_request.save()
    audit_record(actor=requester, verb=Verb.CREATED, obj=access_request,
                 changes={"local_authority": [None, local_authority.pk],
                          "first_name": [None, access_request.first_name],
                          "last_name": [None, access_request.last_name],
                          "date_of_birth": [None, date_of_birth.isoformat()],
                          "reason": [None, access_request.reason]})
    return access_request


def _decide(access_request: AccessRequest, actor: User, status: str, child: Child | None = None) -> None:
    updated = AccessRequest.objects.filter(pk=access_request.pk, status=AccessRequest.Status.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now(), child=child)
    if not updated:
        raise ValidationError("Someone else has already decided this request")
    access_request.refresh_from_db()


@transaction.atomic
def access_request_approve(*, actor: User, access_request: AccessRequest, child: Child) -> TeamMembership:
    """The child's LA links the requesting designated teacher to the child it picked."""
    if child.local_authority_id != access_request.local_authority_id:
        raise ValidationError({"child": "Select one of your local authority's children"})
    _decide(access_request, actor, AccessRequest.Status.APPROVED, child)
    link = _link(child=child, user=access_request.requester, role=Role.DESIGNATED_TEACHER)
    if link is None:
        link = TeamMembership.objects.get(user=access_request.requester, child=child,
                                          role=Role.DESIGNATED_TEACHER, ends_on__isnull=True)
    audit_record(actor=actor, verb=Verb.APPROVED, obj=access_request, child_id=child.pk,
                 changes={"status": ["pending", "approved"], "user": [None, access_request.requester_id],
                          "role": [None, Role.DESIGNATED_TEACHER], "link": [None, link.pk]})
    return link


@transaction.atomic
def access_request_decline(*, actor: User, access_request: AccessRequest) -> AccessRequest:
    _decide(access_request, actor, AccessRequest.Status.DECLINED)
    audit_record(actor=actor, verb=Verb.DECLINED, obj=access_request,
                 changes={"status": ["pending", "declined"]})
    return access_request


@transaction.atomic
def grant_revoke(*, actor: User, grant: ChildUserObjectPermission) -> None:
    """Remove a person's access to a child at once: the grant goes, and every open link of
    theirs to the child ends, so their next request is refused (404)."""
    today = timezone.localdate()
    links = list(TeamMembership.objects.select_for_update().filter(
        user_id=grant.user_id, child_id=grant.content_object_id, ends_on__isnull=True))
    for link in links:
        link.ends_on = max(today, link.starts_on)
    TeamMembership.objects.bulk_update(links, ["ends_on"])
    ChildUserObjectPermission.objects.filter(user_id=grant.user_id, content_object_id=grant.content_object_id,
                                             permission__codename=VIEW_PERMISSION).delete()
    audit_record(actor=actor, verb=Verb.UNLINKED, obj=grant, child_id=grant.content_object_id,
                 changes={"user": [grant.user_id, None], "role": [[link.role for link in links], None],
                          "grant": "revoked"})


# ---- the team around the child ------------------------------------------------------------------


def _link(*, child: Child, user: User, role: str, starts_on: dt.date | None = None) -> TeamMembership | None:
    """Link and grant without an audit event (the calling service writes the one event);
    None when the person is already linked in that role."""
    if TeamMembership.objects.filter(user=user, child=child, role=role, ends_on__isnull=True).exists():
        return None
    problem = team_link_problem(la=child.local_authority, user=user, role=role, child=child)
    if problem:
        raise ValidationError({"user": problem})
    if role == Role.YOUNG_PERSON and child.team.filter(role=Role.YOUNG_PERSON,
                                                           ends_on__isnull=True).exists():
        raise ValidationError({"user": "This child already has a young person's login linked: unlink it first"})
    link = TeamMembership(user=user, child=child, role=role, starts_on=starts_on or timezone.localdate())
    link.full_clean()
    link.save()
    ChildUserObjectPermission.objects.get_or_create(
        user=user, content_object=child, permission=_view_permission()
    )
    return link


def _end_link(link: TeamMembership) -> None:
    """End a link and, unless another open link remains, its grant (no audit event)."""
    link.ends_on = max(timezone.localdate(), link.starts_on)
    link.save(update_fields=["ends_on"])
    still_linked = TeamMembership.objects.filter(
        user_id=link.user_id, child_id=link.child_id, ends_on__isnull=True
    ).exists()
    if not still_linked:
        ChildUserObjectPermission.objects.filter(
            user_id=link.user_id, content_object_id=link.child_id,
            permission__codename=VIEW_PERMISSION,
        ).delete()


@transaction.atomic
def team_link(*, actor: User | None, child: Child, user: User, role: str,
              starts_on: dt.date | None = None) -> TeamMembership:
    """Link a person to the child's team and grant the per-child permission with it.

    Linking someone already linked in that role changes nothing and writes no event.
    """
    link = _link(child=child, user=user, role=role, starts_on=starts_on)
    if link is None:
        return TeamMembership.objects.get(user=user, child=child, role=role, ends_on__isnull=True)
    audit_record(actor=actor, verb=Verb.LINKED, obj=link, child_id=child.pk,
                 changes={"user": [None, user.pk], "role": [None, role],
                          "starts_on": [None, link.starts_on.isoformat()]})
    return link


@transaction.atomic
def team_unlink(*, actor: User | None, link: TeamMembership) -> TeamMembership:
    """End a link; the grant goes in the same transaction, so access ends on the next request."""
    if link.ends_on is not None:
        raise ValidationError("This person has already been unlinked")
    _end_link(link)
    audit_record(actor=actor, verb=Verb.UNLINKED, obj=link, child_id=link.child_id,
                 changes={"user": [link.user_id, None], "role": [link.role, None],
                          "ends_on": [None, str(link.ends_on)]})
    return link


# ---- the CSV import -------------------------------------------------------------------------------

BATCH = 500


class _RowFailed(Exception):
    def __init__(self, line: int, messages: list[str]):
        super().__init__(line, messages)
        self.line, self.messages = line, messages


def children_import(*, actor: User | None, la: LocalAuthority, data: bytes) -> ImportResult:
    """Import children from a CSV file (columns: children.importer.COLUMNS): every row, or none.

    The file is checked whole first (children.importer.check_file); any problem means
    nothing is written and every problem is reported with its line number.

    Audit: every object written gets the same event its service would have written
    (child created or updated, episode created, placement created or updated, person
    linked or unlinked). The common, bulky writes are set-based: new children with their
    episode, placement, links and grants, changed names or dates of birth, and changed
    year groups (every September) are bulk inserts and updates, their events inserted in
    bulk too. The rarer changes (a new school, a new time in care, a different social
    worker or carer) go through the ordinary services one by one. When anything changed,
    one more event ("imported", no child) sums up the counts. Importing the same file
    again finds nothing to change, so it writes nothing, not even that event.
    """
    result, plans = check_file(la=la, data=data)
    if not result.ok:
        return result
    try:
        with transaction.atomic():
            _import_new(actor, la, [p for p in plans if p.existing is None], result)
            bulk = _BulkChanges()
            for plan in plans:
                if plan.existing is not None:
                    try:
                        _import_changes(actor, plan, result, bulk)
                    except ValidationError as exc:  # the check missed something: report, never a 500
                        raise _RowFailed(plan.line, exc.messages) from exc
            bulk.write(actor)
            if result.changed:
                audit_record(actor=actor, verb=Verb.IMPORTED, object_type="children.import",
                             object_id=la.code, changes=result.counts)
    except _RowFailed as exc:
        return ImportResult(rows=result.rows, errors=[RowError(exc.line, m) for m in exc.messages])
    except IntegrityError:
        return ImportResult(rows=result.rows, errors=[RowError(
            1, "Someone changed these children while the file was being imported: upload it again")])
    return result


def _event(actor: User | None, verb: str, obj, child_id: int, changes: dict) -> AuditEvent:
    """An unsaved audit event, as core.audit.audit_record would write it, for a bulk insert."""
    return AuditEvent(actor=actor if getattr(actor, "pk", None) else None, verb=verb,
                      object_type=obj._meta.label_lower, object_id=str(obj.pk), child_id=child_id,
                      changes=changes, request_id=current_request_id.get())


def _import_new(actor: User | None, la: LocalAuthority, plans: list[RowPlan], result: ImportResult) -> None:
    """New children with their episode, placement and links: a few bulk inserts, not queries per row."""
    if not plans:
        return
    permission = _view_permission()
    today = timezone.localdate()
    children = Child.objects.bulk_create(
        [Child(local_authority=la, la_reference=p.child_ref, **p.fields) for p in plans], batch_size=BATCH)
    episodes, placements, links, grants = [], [], [], {}
    for plan, child in zip(plans, children, strict=True):
        episodes.append(CareEpisode(child=child, entered_care_on=plan.entered_care_on))
        if plan.school is not None and plan.year_group is not None and plan.school_started_on is not None:
            placements.append(SchoolPlacement(child=child, school=plan.school, year_group=plan.year_group,
                                              started_on=plan.school_started_on))
        people = [(plan.social_worker, Role.SOCIAL_WORKER)] if plan.social_worker else []
        people += [(carer, Role.CARER) for carer in plan.carers]
        for user, role in people:
            links.append(TeamMembership(user=user, child=child, role=role, starts_on=today))
            grants[(user.pk, child.pk)] = ChildUserObjectPermission(user=user, content_object=child,
                                                                   permission=permission)
    # The LA's own designated teachers at each new child's school are linked with the placement
    # (as placement_start does); they are not counted as the file's links.
    teachers: dict[int | None, list[User]] = {}
    for teacher in User.objects.filter(role=Role.DESIGNATED_TEACHER, is_active=True, local_authority=la,
                                       school_id__in={p.school_id for p in placements}).order_by("pk"):
        teachers.setdefault(teacher.school_id, []).append(teacher)
    dt_links = []
    for placement in placements:
        for teacher in teachers.get(placement.school_id, []):
            dt_links.append(TeamMembership(user=teacher, child=placement.child,
                                           role=Role.DESIGNATED_TEACHER, starts_on=_dt_link_start(placement)))
            grants[(teacher.pk, placement.child.pk)] = ChildUserObjectPermission(
                user=teacher, content_object=placement.child, permission=permission)
    CareEpisode.objects.bulk_create(episodes, batch_size=BATCH)
    SchoolPlacement.objects.bulk_create(placements, batch_size=BATCH)
    TeamMembership.objects.bulk_create(links + dt_links, batch_size=BATCH)
    ChildUserObjectPermission.objects.bulk_create(grants.values(), batch_size=BATCH)

    events = [_event(actor, Verb.CREATED, c, c.pk, diff({}, snapshot(c, CHILD_FIELDS))) for c in children]
    events += [_event(actor, Verb.CREATED, e, e.child_id, {
        "entered_care_on": [None, e.entered_care_on.isoformat()], "reason": [None, ""]}) for e in episodes]
    # As placement_start writes them: the designated teachers linked go in the placement's event.
    linked_with: dict[int, list[int]] = {}
    for link in dt_links:
        linked_with.setdefault(link.child_id, []).append(link.user_id)
    events += [_event(actor, Verb.CREATED, p, p.child_id, {
        "school": [None, p.school_id], "year_group": [None, p.year_group],
        "started_on": [None, p.started_on.isoformat()], "part_time_timetable": [None, False],
        "alternative_provision": [None, ""], "ended_placements": [],
        **({"designated_teachers_linked": [None, linked_with[p.child_id]]} if p.child_id in linked_with else {}),
    }) for p in placements]
    events += [_event(actor, Verb.LINKED, link, link.child_id, {
        "user": [None, link.user_id], "role": [None, link.role], "starts_on": [None, today.isoformat()]})
        for link in links]
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    result.children_created += len(children)
    result.episodes_started += len(episodes)
    result.placements_started += len(placements)
    result.links_made += len(links)


@dataclass
class _BulkChanges:
    """Changes to children already recorded that are written set-based, with their events."""

    children: list[tuple[Child, dict]] = field(default_factory=list)  # (child, changes)
    placements: list[tuple[SchoolPlacement, dict]] = field(default_factory=list)

    def write(self, actor: User | None) -> None:
        if self.children:
            names = sorted({name for _child, changes in self.children for name in changes})
            Child.objects.bulk_update([c for c, _ in self.children], names, batch_size=BATCH)
        if self.placements:
            SchoolPlacement.objects.bulk_update([p for p, _ in self.placements], ["year_group"], batch_size=BATCH)
        events = [_event(actor, Verb.UPDATED, c, c.pk, changes) for c, changes in self.children]
        events += [_event(actor, Verb.UPDATED, p, p.child_id, changes) for p, changes in self.placements]
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)


def _import_changes(actor: User | None, plan: RowPlan, result: ImportResult, bulk: _BulkChanges) -> None:
    """A child already recorded: only what differs from the file is written."""
    stored = plan.existing
    assert stored is not None
    child = stored.child
    touched = False
    before = snapshot(child, CHILD_FIELDS)
    for name, value in plan.fields.items():
        setattr(child, name, value)  # checked by check_file with the model's own field validators
    changes = diff(before, snapshot(child, CHILD_FIELDS))
    if changes:
        bulk.children.append((child, changes))
        touched = True
    if not any(e.entered_care_on == plan.entered_care_on for e in stored.episodes):
        open_episode = next((e for e in stored.episodes if e.left_care_on is None), None)
        if open_episode is not None:
            care_episode_update(actor=actor, episode=open_episode, entered_care_on=plan.entered_care_on)
            result.episodes_corrected += 1
        else:
            care_episode_start(actor=actor, child=child, entered_care_on=plan.entered_care_on)
            result.episodes_started += 1
        touched = True
    current = stored.placement
    if plan.school is not None and plan.year_group is not None and plan.school_started_on is not None:
        if current is None or current.school_id != plan.school.pk:
            placement_start(actor=actor, child=child, school=plan.school, year_group=plan.year_group,
                            started_on=plan.school_started_on)
            result.placements_started += 1
            touched = True
        elif current.year_group != plan.year_group:
            bulk.placements.append((current, {"year_group": [current.year_group, plan.year_group]}))
            current.year_group = plan.year_group
            result.placements_updated += 1
            touched = True
    for role, wanted in ((Role.SOCIAL_WORKER, [plan.social_worker] if plan.social_worker else []),
                         (Role.CARER, plan.carers)):
        if not wanted:
            continue  # a blank cell leaves the links as they are
        linked = [link for link in stored.links if link.role == role]
        linked_ids = {link.user_id for link in linked}
        wanted_ids = {user.pk for user in wanted}
        for user in wanted:
            if user.pk not in linked_ids:
                team_link(actor=actor, child=child, user=user, role=role)
                result.links_made += 1
                touched = True
        for link in linked:
            if link.user_id not in wanted_ids:
                team_unlink(actor=actor, link=link)
                result.links_ended += 1
                touched = True
    if touched:
        result.children_updated += 1
