"""Who may do what with a PEP meeting. A meeting inherits its audience and rights from its PEP
(peps.policies): outside the child's team is 404, inside without the right is 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import LocalAuthority, User
from core.roles import Role
from peps.policies import PepAccess, get_pep_for

from .models import Meeting


def get_meeting_for(user: User, pk: int, action: str) -> tuple[PepAccess, Meeting]:
    pep_id = Meeting.objects.filter(pk=pk).values_list("pep_id", flat=True).first()
    if pep_id is None:
        raise Http404("No such meeting")
    access = get_pep_for(user, pep_id, action)
    meeting = Meeting.objects.select_related("chair", "recorded_by").get(pk=pk)
    meeting.pep = access.pep  # already fetched with its child and LA
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
