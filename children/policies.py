"""Who may do what with a child's record: the one place that answers it.

Deny by default. People outside a child's team get 404 for everything about the child;
team members without the right get 403. Rights come from:
- the LA: Virtual School officers (and LA admins, read-only on records) see every child
  of their own LA and none of another LA's;
- the current school placement: a designated teacher is on the team of every child whose
  current placement is at their school;
- an open TeamMembership *and* its django-guardian grant, for social workers, carers,
  the young person and read-only others. Both must be present: the link says in what
  role, the grant is revoked in the same transaction that ends the link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User

from .models import Child, ChildUserObjectPermission, SchoolPlacement, TeamMembership, TeamRole

security_log = logging.getLogger("epep.security")

VIEW_PERMISSION = "view_child_record"


class Action:
    VIEW = "view"
    EDIT_RECORD = "edit_record"  # child details, episodes, placements
    MANAGE_TEAM = "manage_team"
    VIEW_AUDIT = "view_audit"
    VIEW_PROFESSIONAL = "view_professional"  # professional-only fields
    REQUEST_CONCERN_REVIEW = "request_concern_review"
    # Data protection (children.data_protection): the Virtual School answers a subject-access
    # request; an LA admin destroys a record once its retention period is over.
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    DESTROY_RECORD = "destroy_record"


# What each relationship to the child may do beyond viewing.
_RIGHTS: dict[str, frozenset[str]] = {
    Role.VIRTUAL_SCHOOL: frozenset({Action.EDIT_RECORD, Action.MANAGE_TEAM, Action.VIEW_AUDIT,
                                    Action.VIEW_PROFESSIONAL, Action.REQUEST_CONCERN_REVIEW,
                                    Action.EXPORT_SUBJECT_ACCESS}),
    Role.LA_ADMIN: frozenset({Action.EDIT_RECORD, Action.MANAGE_TEAM, Action.VIEW_PROFESSIONAL,
                              Action.DESTROY_RECORD}),
    Role.SOCIAL_WORKER: frozenset({Action.VIEW_PROFESSIONAL, Action.REQUEST_CONCERN_REVIEW}),
    Role.DESIGNATED_TEACHER: frozenset({Action.VIEW_PROFESSIONAL, Action.REQUEST_CONCERN_REVIEW}),
    Role.CARER: frozenset({Action.REQUEST_CONCERN_REVIEW}),
    Role.YOUNG_PERSON: frozenset(),
    TeamRole.IRO: frozenset({Action.VIEW_PROFESSIONAL}),
    TeamRole.PERSONAL_ADVISER: frozenset({Action.VIEW_PROFESSIONAL}),
    TeamRole.PARENT: frozenset(),
}


def _active_links(user: User) -> QuerySet[TeamMembership]:
    today = timezone.localdate()
    return TeamMembership.objects.filter(user=user, ends_on__isnull=True, starts_on__lte=today)


def children_visible_to(user: User) -> QuerySet[Child]:
    """Every child the person may open, as one query (no query per child)."""
    if not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN):
        return Child.objects.filter(local_authority_id=user.local_authority_id)
    if user.role == Role.DESIGNATED_TEACHER:
        if user.school_id is None:
            return Child.objects.none()
        return Child.objects.filter(
            Exists(SchoolPlacement.objects.filter(
                child=OuterRef("pk"), school_id=user.school_id, ended_on__isnull=True))
        )
    granted = ChildUserObjectPermission.objects.filter(
        user=user, content_object=OuterRef("pk"), permission__codename=VIEW_PERMISSION
    )
    linked = _active_links(user).filter(child=OuterRef("pk"))
    return Child.objects.filter(Exists(linked) & Exists(granted))


def relationship(user: User, child: Child) -> str | None:
    """The person's role towards this child, or None when they are outside the team."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN):
        return user.role if child.local_authority_id == user.local_authority_id else None
    if user.role == Role.DESIGNATED_TEACHER:
        at_school = SchoolPlacement.objects.filter(
            child=child, school_id=user.school_id, ended_on__isnull=True
        ).exists()
        return Role.DESIGNATED_TEACHER if user.school_id and at_school else None
    link = _active_links(user).filter(child=child).order_by("pk").first()
    if link is None:
        return None
    has_grant = ChildUserObjectPermission.objects.filter(
        user=user, content_object=child, permission__codename=VIEW_PERMISSION
    ).exists()
    return link.role if has_grant else None


def can(user: User, child: Child, action: str) -> bool:
    rel = relationship(user, child)
    if rel is None:
        return False
    return action == Action.VIEW or action in _RIGHTS.get(rel, frozenset())


@dataclass(frozen=True)
class ChildAccess:
    child: Child
    relationship: str

    def can(self, action: str) -> bool:
        return action == Action.VIEW or action in _RIGHTS.get(self.relationship, frozenset())


def get_child_for(user: User, pk: int, action: str = Action.VIEW) -> ChildAccess:
    """Fetch and authorise in one step: 404 outside the team, 403 without the right."""
    child = Child.objects.select_related("local_authority").filter(pk=pk).first()
    rel = relationship(user, child) if child is not None else None
    if rel is None:
        security_log.info("child not visible", extra={"event": "child_404", "user_id": user.pk,
                                                       "child_id": pk})
        raise Http404("No such child")
    access = ChildAccess(child=child, relationship=rel)
    if not access.can(action):
        security_log.warning("child action refused", extra={"event": "child_403", "user_id": user.pk,
                                                             "child_id": pk})
        raise PermissionDenied
    return access


def can_manage_children(user: User) -> bool:
    """May add children and import them (for their own LA)."""
    return user.is_authenticated and user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN) \
        and user.local_authority_id is not None


def require_children_manager(user: User) -> None:
    if not can_manage_children(user):
        raise PermissionDenied


def is_retention_admin(user: User) -> bool:
    """May see their LA's records past the destroy-after date (and destroy them, per child,
    through get_child_for(..., Action.DESTROY_RECORD))."""
    return user.is_authenticated and user.is_active and user.role == Role.LA_ADMIN \
        and user.local_authority_id is not None


def require_retention_admin(user: User) -> None:
    if not is_retention_admin(user):
        security_log.warning("retention list refused", extra={"event": "retention_403", "user_id": user.pk})
        raise PermissionDenied



# Which kind of login may hold which role in a child's team. A carer linked as a social
# worker would gain the professional-only fields, so a mismatch is refused. Designated
# teachers are never linked: they come with the school placement.
TEAM_ROLE_USER_ROLES: dict[str, frozenset[str]] = {
    TeamRole.SOCIAL_WORKER: frozenset({Role.SOCIAL_WORKER}),
    TeamRole.CARER: frozenset({Role.CARER}),
    TeamRole.YOUNG_PERSON: frozenset({Role.YOUNG_PERSON}),
    TeamRole.VIRTUAL_SCHOOL: frozenset({Role.VIRTUAL_SCHOOL}),
    TeamRole.IRO: frozenset({Role.OTHER, Role.SOCIAL_WORKER}),
    TeamRole.PERSONAL_ADVISER: frozenset({Role.OTHER, Role.SOCIAL_WORKER}),
    TeamRole.PARENT: frozenset({Role.OTHER}),
}


def team_link_problem(*, la, user: User, role: str) -> str | None:
    """Why this person cannot take this role in a team of this LA's child, or None if they can."""
    if role not in TEAM_ROLE_USER_ROLES:
        return "Select a role from the list"
    if not user.is_active:
        return f"{user.email}'s login is switched off"
    if user.role == Role.DESIGNATED_TEACHER:
        return ("Designated teachers are not linked to children: they see the children placed at their "
                "school")
    if user.role not in TEAM_ROLE_USER_ROLES[role]:
        return (f"{user.email} has the role {user.get_role_display()}, so they cannot be linked as "
                f"{TeamRole(role).label.lower()}")
    if user.local_authority_id != la.pk:
        return f"{user.email} does not work with {la.name}"
    return None
