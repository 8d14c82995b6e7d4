"""Who may do what with a PEP meeting. A meeting inherits its audience and rights from its PEP
(peps.policies): outside the child's team is 404, inside without the right is 403.

Who arranges (schedules, moves, cancels) a PEP meeting is the LA's choice (its meeting
settings); `can_schedule` is the one place that answers it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import LocalAuthority, User
from core.roles import SCHEDULER_ROLES, Role
from peps.models import Pep
from peps.policies import PepAccess, PepAction, get_pep_for

from .models import Meeting, MeetingSettings, default_scheduler_roles


class CannotSchedule(PermissionDenied):
    """A member of the child's team who may not arrange this PEP's meeting. The view shows
    who can (and, for professionals, offers to ask them) with a 403."""

    def __init__(self, access: PepAccess):
        super().__init__("You cannot arrange this PEP's meeting.")
        self.access = access


def scheduler_roles(local_authority: LocalAuthority) -> list[str]:
    """The roles that arrange PEP meetings in this LA, in core.roles.SCHEDULER_ROLES order (defaults without a row).

    Read once per LA object: a page asks several times (the panel, the buttons)."""
    cached = local_authority.__dict__.get("_scheduler_roles")
    if cached is None:
        stored = (MeetingSettings.objects.filter(local_authority=local_authority)
                  .values_list("scheduler_roles", flat=True).first())
        chosen = set(stored or default_scheduler_roles())
        cached = [role.value for role in SCHEDULER_ROLES if role in chosen]
        local_authority.__dict__["_scheduler_roles"] = cached
    return cached


def rel_may_schedule(rel: str | None, pep: Pep) -> bool:
    """A relationship to the child may arrange the PEP's meeting: its role is one the LA
    chose, and the PEP is open (draft or returned)."""
    return rel is not None and pep.is_open and rel in scheduler_roles(pep.child.local_authority)


def can_schedule(access: PepAccess) -> bool:
    return rel_may_schedule(access.relationship, access.pep)


def can_ask_for_meeting(access: PepAccess) -> bool:
    """A professional in the team who cannot arrange the meeting may ask those who can.

    Carers, the young person and parents are not offered it: arranging the meeting is the
    professionals' job and the family already talk to them directly; an email sent from
    ePEP in a family member's name to staff is not something they asked for."""
    return access.is_professional and access.pep.is_open and not can_schedule(access)


def who_arranges(local_authority: LocalAuthority) -> str:
    """'A designated teacher or a Virtual School officer' (for 'arranges this PEP's meeting')."""
    labels = {Role.DESIGNATED_TEACHER: "a designated teacher", Role.SOCIAL_WORKER: "a social worker",
              Role.VIRTUAL_SCHOOL: "a Virtual School officer"}
    names = [labels[Role(role)] for role in scheduler_roles(local_authority)]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return text[0].upper() + text[1:]


def get_pep_for_scheduling(user: User, pep_pk: int) -> PepAccess:
    """404 outside the child's team; CannotSchedule (a 403) for a member who may not arrange it."""
    access = get_pep_for(user, pep_pk, PepAction.VIEW)
    if not can_schedule(access):
        raise CannotSchedule(access)
    return access


def get_pep_for_meeting_request(user: User, pep_pk: int) -> PepAccess:
    """Who may ask the schedulers to arrange the meeting: 404 outside the team, 403 otherwise."""
    access = get_pep_for(user, pep_pk, PepAction.VIEW)
    if not can_ask_for_meeting(access):
        raise PermissionDenied
    return access


def get_meeting_for(user: User, pk: int, action: str) -> tuple[PepAccess, Meeting]:
    pep_id = Meeting.objects.filter(pk=pk).values_list("pep_id", flat=True).first()
    if pep_id is None:
        raise Http404("No such meeting")
    access = get_pep_for(user, pep_id, action)
    meeting = Meeting.objects.select_related("chair", "recorded_by").get(pk=pk)
    meeting.pep = access.pep  # already fetched with its child and LA
    return access, meeting


def get_meeting_for_scheduling(user: User, pk: int) -> tuple[PepAccess, Meeting]:
    """A meeting to move or cancel: as get_meeting_for, CannotSchedule for a member who may not."""
    access, meeting = get_meeting_for(user, pk, PepAction.VIEW)
    if not can_schedule(access):
        raise CannotSchedule(access)
    return access, meeting


def can_manage_meeting_settings(user: User) -> bool:
    """LA admins choose who chairs their LA's PEP meetings (like the rest of the LA's configuration)."""
    return user.is_authenticated and user.role == Role.LA_ADMIN and user.local_authority_id is not None


def require_meeting_settings_manager(user: User) -> LocalAuthority:
    if not can_manage_meeting_settings(user):
        raise PermissionDenied("Only local authority admins can change how PEP meetings are run.")
    if user.local_authority is None:  # can_manage_meeting_settings checked it
        raise PermissionDenied("Only local authority admins can change how PEP meetings are run.")
    return user.local_authority
