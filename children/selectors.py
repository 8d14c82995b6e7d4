"""Reads that list children, already scoped to the person asking."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User

from .models import Child, SchoolPlacement, TeamMembership, TeamRole
from .policies import children_visible_to


def children_for_user(
    *, user: User, search: str = "", school_id: int | None = None, year_group: int | None = None,
    social_worker_id: int | None = None,
) -> QuerySet[Child]:
    """The person's children with their current placement and social worker prefetched.

    A constant number of queries however many children (three: children, placements,
    social workers).
    """
    qs = children_visible_to(user)
    if search:
        terms = search.split()
        for term in terms[:4]:
            qs = qs.filter(
                Q(first_name__icontains=term) | Q(last_name__icontains=term)
                | Q(preferred_name__icontains=term) | Q(la_reference__iexact=term)
            )
    if school_id:
        qs = qs.filter(placements__school_id=school_id, placements__ended_on__isnull=True)
    if year_group is not None:
        qs = qs.filter(placements__year_group=year_group, placements__ended_on__isnull=True)
    if social_worker_id:
        qs = qs.filter(team__user_id=social_worker_id, team__role=TeamRole.SOCIAL_WORKER,
                       team__ends_on__isnull=True)
    return qs.select_related("local_authority").prefetch_related(
        Prefetch(
            "placements",
            queryset=SchoolPlacement.objects.filter(ended_on__isnull=True).select_related("school"),
            to_attr="current_placements",
        ),
        Prefetch(
            "team",
            queryset=TeamMembership.objects.filter(
                role=TeamRole.SOCIAL_WORKER, ends_on__isnull=True
            ).select_related("user"),
            to_attr="social_workers",
        ),
    ).distinct().order_by("last_name", "first_name", "pk")


def current_placement(child: Child) -> SchoolPlacement | None:
    placements = getattr(child, "current_placements", None)
    if placements is not None:
        return placements[0] if placements else None
    return child.placements.filter(ended_on__isnull=True).select_related("school").first()


def team_of(child: Child) -> list[dict]:
    """The team around the child: linked people, and the designated teacher(s) by school."""
    from accounts.models import Role
    from accounts.models import User as UserModel

    rows = [
        {"name": link.user.full_name, "email": link.user.email, "role": link.get_role_display(),
         "since": link.starts_on, "link": link}
        for link in child.team.filter(ends_on__isnull=True).select_related("user")
    ]
    placement = current_placement(child)
    if placement is not None:
        for dt_user in UserModel.objects.filter(role=Role.DESIGNATED_TEACHER, school=placement.school,
                                                is_active=True):
            rows.append({"name": dt_user.full_name, "email": dt_user.email,
                         "role": "Designated teacher", "since": placement.started_on, "link": None})
    return rows
