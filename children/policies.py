"""Who may do what with a child's record: the one place that answers it.

Deny by default. People outside a child's team get 404 for everything about the child;
team members without the right get 403. Rights come from:
- the LA: Virtual School officers (and LA admins, read-only on records) see every child
  of their own LA and none of another LA's;
- an open TeamMembership *and* its django-guardian grant, for everyone else: social
  workers, designated teachers, carers, the young person and read-only others. Both must be
  present: the link says in what role, the grant is revoked in the same transaction that
  ends the link. Every link and grant is made by the child's own LA (its staff, its import,
  its placements, its approving an access request), and it can see and revoke all of them.
  Sharing a school never shares children: a designated teacher sees a child only through
  such a link, and (as defence) only while the child is still placed at the teacher's school.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from core.roles import Role

from .models import Child, ChildUserObjectPermission, SchoolPlacement, TeamMembership

security_log = logging.getLogger("epep.security")

VIEW_PERMISSION = "view_child_record"


class Action:
    VIEW = "view"
    EDIT_RECORD = "edit_record"  # child details, episodes, placements
    MANAGE_TEAM = "manage_team"
    VIEW_AUDIT = "view_audit"
    VIEW_PROFESSIONAL = "view_professional"  # professional-only fields
    REQUEST_CONCERN_REVIEW = "request_concern_review"
    # Data protection (the data_protection app): the Virtual School answers a subject-access
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
    Role.IRO: frozenset({Action.VIEW_PROFESSIONAL}),
    Role.PERSONAL_ADVISER: frozenset({Action.VIEW_PROFESSIONAL}),
    Role.PARENT: frozenset(),
}


def _active_links(user: User) -> QuerySet[TeamMembership]:
    today = timezone.localdate()
    return TeamMembership.objects.filter(user=user, ends_on__isnull=True, starts_on__lte=today)


# The one rule of who sees a child, in two shapes from one definition: the Virtual School
# and the LA admins see their own LA's children; everyone else sees a child through an
# active team link together with the per-child grant the child's own LA made, and a
# designated teacher only while the child is placed at their school.


def _sees_whole_la(user: User) -> bool:
    return user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN)


def _links_that_grant_sight(user: User) -> QuerySet[TeamMembership]:
    """The person's active team links that let them see the linked child."""
    granted = ChildUserObjectPermission.objects.filter(
        user=user, content_object=OuterRef("child"), permission__codename=VIEW_PERMISSION
    )
    links = _active_links(user).filter(Exists(granted))
    if user.role == Role.DESIGNATED_TEACHER:
        if user.school_id is None:
            return links.none()
        links = links.filter(Exists(SchoolPlacement.objects.filter(
            child=OuterRef("child"), school_id=user.school_id, ended_on__isnull=True)))
    return links


def children_visible_to(user: User) -> QuerySet[Child]:
    """Every child the person may open, as one query (no query per child)."""
    if not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    if _sees_whole_la(user):
        return Child.objects.filter(local_authority_id=user.local_authority_id)
    return Child.objects.filter(Exists(_links_that_grant_sight(user).filter(child=OuterRef("pk"))))


def relationship(user: User, child: Child) -> str | None:
    """The person's role towards this child, or None when they may not see it (one query at
    most; the same rule as children_visible_to)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if _sees_whole_la(user):
        return user.role if child.local_authority_id == user.local_authority_id else None
    return _links_that_grant_sight(user).filter(child=child).order_by("pk").values_list("role", flat=True).first()


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


def page_relationship(context, child: Child) -> str | None:
    """The signed-in person's relationship to the child, for a panel of a page.

    The page's view fetched and authorised the child (or one of its PEPs) once and put the
    answer in the context as `access`; a panel about that same child reuses it rather than
    asking the database again (three queries each time). Any other page asks afresh.
    """
    access = context.get("access")
    seen = getattr(access, "child", None) or getattr(getattr(access, "pep", None), "child", None)
    if seen is not None and seen.pk == child.pk and getattr(access, "relationship", None):
        return access.relationship
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return relationship(user, child) if user is not None else None


def page_can(context, child: Child, action: str) -> bool:
    """`can` for a panel of a page, from the relationship the view already established."""
    rel = page_relationship(context, child)
    return rel is not None and (action == Action.VIEW or action in _RIGHTS.get(rel, frozenset()))


def get_child_for(user: User, pk: int, action: str = Action.VIEW) -> ChildAccess:
    """Fetch and authorise in one step: 404 outside the team, 403 without the right."""
    child = Child.objects.select_related("local_authority").filter(pk=pk).first()
    rel = relationship(user, child) if child is not None else None
    if child is None or rel is None:
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


# Which kind of login may hold which role in a child's team. A carer linked as a social
# worker would gain the professional-only fields, so a mismatch is refused.
TEAM_ROLE_USER_ROLES: dict[str, frozenset[str]] = {
    Role.SOCIAL_WORKER: frozenset({Role.SOCIAL_WORKER}),
    Role.DESIGNATED_TEACHER: frozenset({Role.DESIGNATED_TEACHER}),
    Role.CARER: frozenset({Role.CARER}),
    Role.YOUNG_PERSON: frozenset({Role.YOUNG_PERSON}),
    Role.VIRTUAL_SCHOOL: frozenset({Role.VIRTUAL_SCHOOL}),
    Role.IRO: frozenset({Role.OTHER, Role.SOCIAL_WORKER}),
    Role.PERSONAL_ADVISER: frozenset({Role.OTHER, Role.SOCIAL_WORKER}),
    Role.PARENT: frozenset({Role.OTHER}),
}


def team_link_problem(*, la, user: User, role: str, child: Child | None = None) -> str | None:
    """Why this person cannot take this role in a team of this LA's child, or None if they can.

    A designated teacher may be registered by any LA (children go to school out of area), so
    the child's LA may link one of another LA's; but only while the child is placed at the
    teacher's school.
    """
    if role not in TEAM_ROLE_USER_ROLES:
        return "Select a role from the list"
    if not user.is_active:
        return f"{user.email}'s login is switched off"
    if user.role == Role.DESIGNATED_TEACHER and role != Role.DESIGNATED_TEACHER:
        return (f"Designated teachers are not linked as {Role(role).label.lower()}: select the role "
                f"designated teacher")
    if user.role not in TEAM_ROLE_USER_ROLES[role]:
        return (f"{user.email} has the role {user.get_role_display()}, so they cannot be linked as "
                f"{Role(role).label.lower()}")
    if role == Role.DESIGNATED_TEACHER:
        at_school = child is not None and user.school_id is not None and SchoolPlacement.objects.filter(
            child=child, school_id=user.school_id, ended_on__isnull=True).exists()
        if not at_school:
            return f"{user.email} is a designated teacher at a school this child is not placed at"
        return None
    if user.local_authority_id != la.pk:
        return f"{user.email} does not work with {la.name}"
    return None


# ---- who holds grants on an LA's children, and requests for them ------------------------------------


def can_manage_access(user: User) -> bool:
    """May see and revoke every grant on their LA's children, and decide access requests:
    the child's own LA's admins and Virtual School officers."""
    return user.is_authenticated and user.is_active and can_manage_children(user)


def require_access_manager(user: User) -> None:
    if not can_manage_access(user):
        security_log.warning("access management refused", extra={"event": "access_403", "user_id": user.pk})
        raise PermissionDenied


def can_request_access(user: User) -> bool:
    """A designated teacher (whichever LA registered them) may ask a child's LA for access."""
    return user.is_authenticated and user.is_active and user.role == Role.DESIGNATED_TEACHER \
        and user.school_id is not None


def require_access_requester(user: User) -> None:
    if not can_request_access(user):
        raise PermissionDenied


def get_access_request_for(user: User, pk: int):
    """A request to the person's own LA (404 for any other), for its admins and Virtual School."""
    from .models import AccessRequest

    require_access_manager(user)
    request = (AccessRequest.objects.select_related("requester__school", "requester__local_authority",
                                                    "local_authority")
               .filter(pk=pk, local_authority_id=user.local_authority_id).first())
    if request is None:
        raise Http404("No such request")
    return request


def get_grant_for(user: User, pk: int) -> ChildUserObjectPermission:
    """A grant on one of the person's own LA's children (404 for any other)."""
    require_access_manager(user)
    grant = (ChildUserObjectPermission.objects.select_related("user", "content_object")
             .filter(pk=pk, content_object__local_authority_id=user.local_authority_id).first())
    if grant is None:
        raise Http404("No such grant")
    return grant
