"""Reads that list children, already scoped to the person asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import School, User
from core import calendar as school_calendar
from core.models import AuditEvent
from core.roles import TEAM_ROLES, Role, role_choices

from .models import (
    YEAR_GROUP_CHOICES,
    Child,
    ChildUserObjectPermission,
    Phase,
    SchoolPlacement,
    TeamMembership,
    phase_for_year_group,
)
from .policies import VIEW_PERMISSION, children_visible_to


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
        qs = qs.filter(team__user_id=social_worker_id, team__role=Role.SOCIAL_WORKER,
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
                role=Role.SOCIAL_WORKER, ends_on__isnull=True
            ).select_related("user"),
            to_attr="social_workers",
        ),
    ).distinct().order_by("last_name", "first_name", "pk")


def current_placement(child: Child) -> SchoolPlacement | None:
    placements = getattr(child, "current_placements", None)
    if placements is not None:
        return placements[0] if placements else None
    return child.placements.filter(ended_on__isnull=True).select_related("school").first()


def year_group_by_age(child: Child, day: dt.date) -> int:
    """The national curriculum year group from the date of birth (age on 1 September, less 5)."""
    start = school_calendar.academic_year_bounds(school_calendar.academic_year_start(day))[0]
    dob = child.date_of_birth
    age = start.year - dob.year - ((start.month, start.day) < (dob.month, dob.day))
    return max(-2, min(13, age - 5))


def phase_label(child: Child, placement: SchoolPlacement | None, *, on: dt.date | None = None) -> str:
    """The child's phase, never blank: from the current placement's year group, else from the
    child's age ("from their age"); the date of birth is always recorded, so it is always known."""
    by_age = phase_for_year_group(year_group_by_age(child, on or timezone.localdate())) or Phase.SCHOOL_AGE
    if placement is not None:
        # A placement's year group is always recorded (a required field); its phase, else the age's.
        return Phase(phase_for_year_group(placement.year_group) or by_age).label
    return f"{Phase(by_age).label} (from their age: no school or setting recorded)"


def team_of(child: Child) -> list[dict]:
    """The team around the child: the people its LA linked, designated teachers included."""
    return [
        {"name": link.user.full_name, "email": link.user.email, "role": link.get_role_display(),
         "since": link.starts_on, "link": link}
        for link in child.team.filter(ends_on__isnull=True).select_related("user")
    ]


# ---- grants on an LA's children and requests for them ---------------------------------------------


@dataclass
class GrantRow:
    grant: ChildUserObjectPermission
    person: User
    child: Child
    roles: list[str]
    # Registered by another LA (a designated teacher at a shared school, say).
    other_la: bool


def grants_on_children_of(la) -> list[GrantRow]:
    """Every person holding a grant on one of the LA's children, whichever LA registered them:
    three queries (grants with people and children, open links, nothing per row)."""
    grants = list(ChildUserObjectPermission.objects
                  .filter(content_object__local_authority=la, permission__codename=VIEW_PERMISSION)
                  .select_related("user__local_authority", "user__school", "content_object")
                  .order_by("user__full_name", "user_id", "content_object__last_name", "content_object_id"))
    roles: dict[tuple[int, int], list[str]] = {}
    for link in TeamMembership.objects.filter(child__local_authority=la, ends_on__isnull=True).order_by("role"):
        roles.setdefault((link.user_id, link.child_id), []).append(link.get_role_display())
    rows = [GrantRow(grant=g, person=g.user, child=g.content_object,
                     roles=roles.get((g.user_id, g.content_object_id), []),
                     other_la=g.user.local_authority_id != la.pk) for g in grants]
    # People another LA registered first: they are the ones an LA most needs to check.
    return sorted(rows, key=lambda r: not r.other_la)


def access_requests_to(la) -> QuerySet:
    from .models import AccessRequest

    return (AccessRequest.objects.filter(local_authority=la)
            .select_related("requester__school", "requester__local_authority", "decided_by", "child"))


def access_request_candidates(access_request) -> list[Child]:
    """The LA's children placed at the requester's school, those matching the name and date
    of birth given first (the LA decides which child, if any, was meant)."""
    children = list(Child.objects.filter(
        local_authority_id=access_request.local_authority_id,
        placements__school_id=access_request.requester.school_id, placements__ended_on__isnull=True,
    ).order_by("last_name", "first_name", "pk"))

    def matches(child: Child) -> int:
        return sum((child.first_name.lower() == access_request.first_name.lower()
                    or child.preferred_name.lower() == access_request.first_name.lower(),
                    child.last_name.lower() == access_request.last_name.lower(),
                    child.date_of_birth == access_request.date_of_birth))

    return sorted(children, key=lambda c: -matches(c))


# ---- a child's audit history ----------------------------------------------------------------------


def audit_events_of(child: Child) -> QuerySet[AuditEvent]:
    """Everything written or read about the child, newest first (index audit_child_idx)."""
    return AuditEvent.objects.filter(child_id=child.pk).select_related("actor").order_by("-at", "-id")


@dataclass
class AuditRow:
    at: dt.datetime
    actor: str
    verb: str
    object: str
    # (field, old, new); old is None when there was no earlier value to show.
    changes: list[tuple[str, str | None, str]]


_CHOICE_LABELS: dict[str, dict] = {
    "year_group": dict(YEAR_GROUP_CHOICES),
    "role": dict(role_choices(TEAM_ROLES)),
    "gender": dict(Child.Gender.choices),
    "legal_status": dict(Child.LegalStatus.choices),
}
# Keys of audit changes whose values are ids of people or schools, shown by name.
_ID_KEYS = {"user": "user", "school": "school", "designated_teachers_linked": "user",
            "designated_teachers_unlinked": "user"}
_FIELD_LABELS = {"la_reference": "LA reference", "upn": "UPN", "user": "Person",
                 "ended_placements": "Placements ended", "viewed": "Viewed"}


def _object_label(object_type: str, object_id: str) -> str:
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = object_type
    return f"{name[:1].upper()}{name[1:]} {object_id}".strip()


def describe_audit_events(events) -> list[AuditRow]:
    """Audit events in words, with people and schools named: two queries for a whole page."""
    events = list(events)
    ids: dict[str, set[int]] = {"user": set(), "school": set()}
    for event in events:
        for key, kind in _ID_KEYS.items():
            value = event.changes.get(key) if isinstance(event.changes, dict) else None
            for v in value if isinstance(value, list) else [value]:
                for one in v if isinstance(v, list) else [v]:
                    if isinstance(one, int) and not isinstance(one, bool):
                        ids[kind].add(one)
    names = {
        "user": dict(User.objects.filter(pk__in=ids["user"]).values_list("pk", "full_name")) if ids["user"] else {},
        "school": dict(School.objects.filter(pk__in=ids["school"]).values_list("pk", "name"))
        if ids["school"] else {},
    }

    def show(key: str, value) -> str:
        if value is None or value == "":
            return "(blank)"
        kind = _ID_KEYS.get(key)
        if kind is not None and isinstance(value, int) and not isinstance(value, bool):
            return names[kind].get(value, f"#{value}")
        if key in _CHOICE_LABELS:
            return str(_CHOICE_LABELS[key].get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, str) and len(value) == 10:
            try:
                return f"{dt.date.fromisoformat(value):%-d %b %Y}"
            except ValueError:
                pass
        if isinstance(value, list):
            return ", ".join(show(key, v) for v in value) or "(none)"
        return str(value)

    rows = []
    for event in events:
        changes = []
        for key, value in sorted((event.changes or {}).items()) if isinstance(event.changes, dict) else []:
            label = _FIELD_LABELS.get(key, key.replace("_", " ").capitalize())
            if isinstance(value, list) and len(value) == 2 and key != "ended_placements":
                old, new = value
                changes.append((label, None if old is None else show(key, old), show(key, new)))
            else:
                changes.append((label, None, show(key, value)))
        rows.append(AuditRow(at=event.at, actor=event.actor.full_name if event.actor else "System",
                             verb=event.get_verb_display(), object=_object_label(event.object_type, event.object_id),
                             changes=changes))
    return rows


def local_authority_id_of_child(child_id: int) -> int | None:
    """The id of the child's LA (None if there is no such child): one query, for the per-LA
    data versions of core.audit (its CHILD_LA hook)."""
    return Child.objects.filter(pk=child_id).values_list("local_authority_id", flat=True).first()
