"""The one Role vocabulary: every role a person can have in the portal, once, with one label.

Each place that offers roles uses a named subset of it (a tuple, in the order pages list
them); `role_choices` builds a model or form field's `choices` from a subset. The stored
values are the member values ("designated_teacher"), the same in every table.

- LOGIN_ROLES: the role of a login (accounts.User.role).
- TEAM_ROLES: a person's role for one child (children.TeamMembership.role).
- EDITOR_ROLES: who may be given a PEP section to edit (peps.SectionConfig).
- CHAIR_ROLES: who chairs PEP meetings in an LA (meetings.MeetingSettings); the meetings
  settings form words them its own way ("The designated teacher").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    DESIGNATED_TEACHER = "designated_teacher", "Designated teacher"
    CARER = "carer", "Carer"
    YOUNG_PERSON = "young_person", "Young person"
    VIRTUAL_SCHOOL = "virtual_school", "Virtual School officer"
    LA_ADMIN = "la_admin", "Local authority admin"
    OTHER = "other", "Other (read only)"
    IRO = "iro", "Independent reviewing officer"
    PARENT = "parent", "Parent"
    PERSONAL_ADVISER = "personal_adviser", "Post-16 personal adviser"


LOGIN_ROLES: tuple[Role, ...] = (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER, Role.YOUNG_PERSON,
                                 Role.VIRTUAL_SCHOOL, Role.LA_ADMIN, Role.OTHER)
TEAM_ROLES: tuple[Role, ...] = (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER, Role.YOUNG_PERSON,
                                Role.VIRTUAL_SCHOOL, Role.IRO, Role.PARENT, Role.PERSONAL_ADVISER)
EDITOR_ROLES: tuple[Role, ...] = (Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER, Role.YOUNG_PERSON,
                                  Role.VIRTUAL_SCHOOL)
CHAIR_ROLES: tuple[Role, ...] = (Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL)
# Who may arrange (schedule, move, cancel) PEP meetings, as an LA chooses among them
# (meetings.MeetingSettings.scheduler_roles); all three unless the LA chooses otherwise.
SCHEDULER_ROLES: tuple[Role, ...] = (Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER, Role.VIRTUAL_SCHOOL)

#: Logins of council staff (they sign in through their council and use two-factor sign-in).
STAFF_ROLES = frozenset({Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL, Role.LA_ADMIN})
#: Team roles that only read a child's PEPs.
READ_ONLY_TEAM_ROLES = frozenset({Role.IRO, Role.PARENT, Role.PERSONAL_ADVISER})


def role_choices(roles: Iterable[Role], labels: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """`choices` for a field offering `roles`, in that order; `labels` rewords some of them."""
    labels = labels or {}
    return [(role.value, labels.get(role, role.label)) for role in roles]
