"""Who may do what with targets and PP+. Targets and requests inherit their audience and
rights from their PEP (peps.policies): outside the child's team is 404, inside without the
right is 403. The LA-wide PP+ pages (queue, allocation, finance export) are by role."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import LocalAuthority, User
from children.models import Child
from children.policies import relationship
from core.roles import Role
from peps.models import Pep
from peps.policies import PepAccess, PepAction, get_pep_for, rel_allows

from .models import PpPlusRequest, Target

security_log = logging.getLogger("epep.security")


def get_target_for(user: User, pk: int, action: str) -> tuple[PepAccess, Target]:
    pep_id = Target.objects.filter(pk=pk).values_list("pep_id", flat=True).first()
    if pep_id is None:
        raise Http404("No such target")
    access = get_pep_for(user, pep_id, action)
    target = Target.objects.select_related("responsible_user").get(pk=pk)
    target.pep = access.pep
    return access, target


def get_pp_plus_request_for(user: User, pk: int, action: str) -> tuple[PepAccess, PpPlusRequest]:
    pep_id = PpPlusRequest.objects.filter(pk=pk).values_list("pep_id", flat=True).first()
    if pep_id is None:
        raise Http404("No such request")
    access = get_pep_for(user, pep_id, action)
    request = PpPlusRequest.objects.select_related("target", "decided_by", "requested_by").get(pk=pk)
    request.pep = access.pep
    request.child = access.pep.child
    return access, request


def can_see_pp_plus_amounts(rel: str | None, child: Child) -> bool:
    """The PEP policy's answer for the child's PEPs (amounts do not depend on a PEP's status)."""
    return rel is not None and rel_allows(rel, Pep(child=child), PepAction.VIEW_PP_PLUS_AMOUNTS)


def get_child_for_pp_plus(user: User, child_pk: int) -> Child:
    """The child whose PP+ ledger this person wants: 404 outside the team, 403 without the right."""
    child = Child.objects.select_related("local_authority").filter(pk=child_pk).first()
    rel = relationship(user, child) if child is not None else None
    if child is None or rel is None:
        raise Http404("No such child")
    if not can_see_pp_plus_amounts(rel, child):
        security_log.warning("pp+ ledger refused", extra={"event": "ppplus_403", "user_id": user.pk,
                                                          "child_id": child_pk})
        raise PermissionDenied
    return child


def require_virtual_school(user: User) -> LocalAuthority:
    """The LA's PP+ queue and the finance export are the Virtual School's."""
    if not (user.is_authenticated and user.role == Role.VIRTUAL_SCHOOL and user.local_authority is not None):
        raise PermissionDenied("Only the Virtual School can do this.")
    return user.local_authority


def require_allocation_manager(user: User) -> LocalAuthority:
    """The Virtual School and the LA's admins set the PP+ allocation per financial year."""
    if not (user.is_authenticated and user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN)
            and user.local_authority is not None):
        raise PermissionDenied("Only the Virtual School or an LA admin can set the PP+ allocation.")
    return user.local_authority
