"""Who may see and change a child's education record: the one place that answers it.

Seeing the record is seeing the child (children.policies: a grant by the child's own LA,
404 for everyone else). Professional-only fields (exclusion reasons, SEN need codes,
part-time timetable reasons, notes on school moves) follow children's VIEW_PROFESSIONAL
right, so carers and young people see attendance and attainment but never those.
Changing a part of the record is for the professionals who own it (403 for other team
members): the school's designated teacher and the Virtual School for the school record,
the social worker too for school moves and post-16 EET.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from accounts.models import User
from children.models import Child
from children.policies import Action, get_child_for
from core.roles import Role


class Part:
    ATTENDANCE = "attendance"
    EXCLUSION = "exclusion"
    PART_TIME = "part-time-timetable"
    ALTERNATIVE_PROVISION = "alternative-provision"
    SEN = "sen"
    ATTAINMENT = "attainment"
    EYFS_PROFILE = "eyfs-profile"
    EET = "eet"
    SCHOOL_MOVE = "school-move"

    ALL = (ATTENDANCE, EXCLUSION, PART_TIME, ALTERNATIVE_PROVISION, SEN, ATTAINMENT, EYFS_PROFILE, EET,
           SCHOOL_MOVE)


_SCHOOL = frozenset({Role.VIRTUAL_SCHOOL, Role.DESIGNATED_TEACHER})
_CARE = frozenset({Role.VIRTUAL_SCHOOL, Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER})

EDITORS: dict[str, frozenset[str]] = {
    Part.ATTENDANCE: _SCHOOL,
    Part.EXCLUSION: _SCHOOL,
    Part.PART_TIME: _SCHOOL,
    Part.ALTERNATIVE_PROVISION: _SCHOOL,
    Part.SEN: _SCHOOL,
    Part.ATTAINMENT: _SCHOOL,
    Part.EYFS_PROFILE: _SCHOOL,
    Part.EET: _CARE,
    Part.SCHOOL_MOVE: frozenset({Role.VIRTUAL_SCHOOL, Role.SOCIAL_WORKER}),
}


@dataclass(frozen=True)
class RecordAccess:
    child: Child
    relationship: str
    professional: bool

    def can_edit(self, part: str) -> bool:
        return self.relationship in EDITORS.get(part, frozenset())

    @property
    def editable_parts(self) -> frozenset[str]:
        return frozenset(p for p in Part.ALL if self.can_edit(p))


def get_record_for(user: User, child_pk: int, part: str | None = None) -> RecordAccess:
    """Fetch and authorise: 404 outside the child's team; with `part`, 403 for a team
    member who may not change that part of the record."""
    child_access = get_child_for(user, child_pk, Action.VIEW)
    access = RecordAccess(child=child_access.child, relationship=child_access.relationship,
                          professional=child_access.can(Action.VIEW_PROFESSIONAL))
    if part is not None and not access.can_edit(part):
        raise PermissionDenied
    return access


def sees_professional_fields(user: User, child: Child) -> bool:
    from children.policies import can

    return can(user, child, Action.VIEW_PROFESSIONAL)
