"""The PEP panel of each role's home page: sections waiting for this person, and settings."""

from __future__ import annotations

from django.db import connection

from accounts.models import User
from children.policies import children_visible_to
from core.roles import EDITOR_ROLES, Role

from .models import Pep, Section
from .policies import can_configure_sections

# The editor role a person has by their own role (the team link gives the same word).
_EDITOR_ROLE: dict[str, str] = {role: role.value for role in EDITOR_ROLES}


def sections_waiting_for(user: User, limit: int = 10) -> list[Section]:
    """Open PEPs' sections, not yet complete, that this person's role edits.

    One query on PostgreSQL (JSON containment); SQLite, used for a first local run, filters
    the editor roles in Python.
    """
    role = _EDITOR_ROLE.get(user.role)
    if role is None:
        return []
    sections = (
        Section.objects.filter(pep__child__in=children_visible_to(user),
                               pep__status__in=[Pep.Status.DRAFT, Pep.Status.RETURNED])
        .exclude(state=Section.State.COMPLETE)
        .select_related("pep", "pep__child").order_by("pep__created_at", "letter")
    )
    if connection.features.supports_json_field_contains:
        return list(sections.filter(editor_roles__contains=[role])[:limit])
    return [s for s in sections if role in s.editor_roles][:limit]


def panels(user: User) -> list[dict]:
    if user.role == Role.YOUNG_PERSON:
        return [{"template": "peps/panels/my_pep.html"}]
    return [{"template": "peps/panels/home.html", "sections": sections_waiting_for(user),
             "can_configure": can_configure_sections(user)}]
