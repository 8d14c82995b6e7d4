"""Section A and the child's record (the children app, a floor below peps): facts typed once.

Section A shows these facts from the record, never as separately typed PEP fields:

- legal status (`legal_status`, professionals only): `Child.legal_status`. Changed from
  section A by whoever may edit the child's record (children.policies: the Virtual School,
  LA admins), through `children.services.child_update`.
- date entered care (`date_entered_care`): the open `CareEpisode.entered_care_on`. The same
  people, through `care_episode_update` (or `care_episode_start` when none is open).
- school or setting (`school_or_setting`): the current `SchoolPlacement`. Not changed here:
  "Change this on the child's record".
- carers and social worker (`carer_*`, `social_worker_*`): the team (`TeamMembership`). Not
  changed here: shown with a link to the team on the child's page.

Everyone else sees the first two read-only with the same link. Posting them anyway changes
nothing: they are not fields of that person's form, and `record_write` checks the right again.

What is stored: while a PEP is open, section A's JSON holds none of these facts (a save drops
them), so there is nothing to disagree with the record. When the PEP is submitted,
`snapshot` writes the record's facts as they are that day into section A (with the date,
`_record_as_of`); a submitted or approved PEP shows and prints that snapshot, so an approved
PEP stays a true record of what was known when it was submitted (the Virtual School approves
what it reviewed). A PEP returned or reopened is open again and shows the record live; its
next submission takes a new snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from children.models import CareEpisode, Child, TeamMembership
from children.policies import Action, ChildAccess
from children.selectors import current_placement
from core.roles import Role

from . import record_link
from .models import Pep, Section

RECORD_FIELDS = ("legal_status", "date_entered_care", "school_or_setting", "carer_name", "carer_contact",
                 "social_worker_name", "social_worker_contact")
# What section A can change in the record, for those who may edit the record.
RECORD_EDITABLE = ("legal_status", "date_entered_care")
AS_OF = "_record_as_of"
LABELS = {
    "legal_status": "Legal status",
    "date_entered_care": "Date the child entered care",
    "school_or_setting": "School or setting",
    "carer_name": "Carer",
    "carer_contact": "Carer's email address",
    "social_worker_name": "Social worker",
    "social_worker_contact": "Social worker's email address",
}
PROFESSIONAL_ONLY = ("legal_status",)


def applies(section: Section) -> bool:
    return section.letter == "A"


def can_edit_record(relationship: str | None, child: Child) -> bool:
    return relationship is not None and ChildAccess(child=child, relationship=relationship).can(Action.EDIT_RECORD)


def _open_episode(child: Child) -> CareEpisode | None:
    return child.care_episodes.filter(left_care_on__isnull=True).first()


def facts(child: Child) -> dict[str, Any]:
    """What the child's record says now, under section A's names (JSON values)."""
    episode = _open_episode(child) or child.care_episodes.first()
    placement = current_placement(child)
    links = list(TeamMembership.objects.filter(
        child=child, ends_on__isnull=True, starts_on__lte=timezone.localdate(),
        role__in=[Role.CARER, Role.SOCIAL_WORKER]).select_related("user").order_by("role", "starts_on", "pk"))

    def people(role: str, attr: str) -> str:
        return ", ".join(getattr(link.user, attr) for link in links if link.role == role and getattr(link.user, attr))

    return {
        "legal_status": child.legal_status or None,
        "date_entered_care": episode.entered_care_on.isoformat() if episode else None,
        "school_or_setting": (f"{placement.school.name}, {placement.get_year_group_display()}"
                              if placement else None),
        "carer_name": people(Role.CARER, "full_name") or None,
        "carer_contact": people(Role.CARER, "email") or None,
        "social_worker_name": people(Role.SOCIAL_WORKER, "full_name") or None,
        "social_worker_contact": people(Role.SOCIAL_WORKER, "email") or None,
    }


def section_values(pep: Pep, section: Section) -> dict[str, Any]:
    """Section A's data as it reads: the record live while the PEP is open, the snapshot
    taken at submission once it is not. Section B's the same way from the education record
    (peps.record_link). Any other section's data as stored."""
    if record_link.applies(section):
        return record_link.section_values(pep, section)
    data = dict(section.data or {})
    if not applies(section):
        return data
    if pep.is_open:
        data = {k: v for k, v in data.items() if k not in RECORD_FIELDS and k != AS_OF}
        data.update(facts(pep.child))
    return data


def without_facts(data: dict[str, Any]) -> dict[str, Any]:
    """What an open PEP's section A stores: everything but the record's facts."""
    return {k: v for k, v in data.items() if k not in RECORD_FIELDS and k != AS_OF}


@dataclass(frozen=True)
class FactRow:
    name: str
    label: str
    value: str
    link: str  # where to change it
    link_text: str
    editable_here: bool


def fact_rows(pep: Pep, section: Section, *, relationship: str | None, professional: bool) -> list[FactRow]:
    """The record's facts for section A's pages, each with where it is changed."""
    if not applies(section):
        return []
    values = section_values(pep, section)
    editable = can_edit_record(relationship, pep.child) and pep.is_open
    record = reverse("child_detail", args=[pep.child_id])
    rows = []
    for name in RECORD_FIELDS:
        if name in PROFESSIONAL_ONLY and not professional:
            continue
        value = values.get(name)
        if value and name == "legal_status":
            value = dict(Child.LegalStatus.choices).get(value, value)
        elif value and name == "date_entered_care":
            value = dt.date.fromisoformat(value).strftime("%-d %B %Y")
        team = name.startswith(("carer", "social_worker"))
        rows.append(FactRow(
            name=name, label=LABELS[name],
            value=str(value) if value else "Not recorded",
            link=record + ("#team" if team else "#care" if name == "date_entered_care" else ""),
            link_text="Change this on the team page" if team else "Change this on the child's record",
            editable_here=editable and name in RECORD_EDITABLE,
        ))
    return rows


# What section A needs from the child's record before it can be marked as complete: the
# facts it shows that only the record holds (the school, carers and social worker are shown
# as they are and may honestly be none).
NEEDED_TO_COMPLETE = ("legal_status", "date_entered_care")


def missing_to_complete(child: Child, data: dict[str, Any] | None = None) -> list[str]:
    """The facts of NEEDED_TO_COMPLETE the child's record lacks. `data`: what this save is
    about to write to the record (someone who may edit it typed it in section A), which counts."""
    data = data or {}
    # Read from the database, not the (possibly older) object in hand: this decides a write.
    held = {
        "legal_status": Child.objects.filter(pk=child.pk).values_list("legal_status", flat=True).first(),
        "date_entered_care": child.care_episodes.exists(),
    }
    return [name for name in NEEDED_TO_COMPLETE if not (data.get(name) or held.get(name))]


def missing_message(name: str) -> str:
    if name == "legal_status":
        return ("The child's record has no legal status: add it on the child's record before marking "
                "section A as complete")
    return ("The child's record has no date they entered care: add a time in care on the child's record "
            "before marking section A as complete")


def missing_link(child: Child, name: str) -> str:
    """Where on the child's record the missing fact is shown and changed."""
    return reverse("child_detail", args=[child.pk]) + ("#legal-status" if name == "legal_status" else "#care")


def check_record(child: Child, form, cleaned: dict[str, Any]) -> None:
    """Section A against the child's record, reported with the form's other errors: a date
    entered care typed here (it is written to the record) before the child was born; and, when
    marked as complete, each missing fact: on the field when this person may type it here
    (saving writes the record), else linked to the child's record, where it is changed."""
    entered = cleaned.get("date_entered_care")  # (one in the future: the section's own form, peps.sections)
    if isinstance(entered, dt.date) and "date_entered_care" in form.fields and "date_entered_care" not in form.errors \
            and entered < child.date_of_birth:
        form.add_error("date_entered_care", "The date they entered care must be on or after their date of birth")
    if not form.mark_complete:
        return
    for name in missing_to_complete(child, {n: cleaned.get(n) for n in form.fields}):
        if name in form.fields:
            if name not in form.errors:
                form.add_error(name, f"Enter {LABELS[name][0].lower()}{LABELS[name][1:]}: the child's record "
                                     f"has none, and section A cannot be complete without it")
        else:
            form.add_linked_error(missing_message(name), missing_link(child, name))


def record_write(*, actor: User | None, relationship: str | None, pep: Pep, data: dict[str, Any]) -> bool:
    """Write section A's changes to the record facts (the children app's services, each its
    own audit event there) when `actor` may edit the child's record; anything else in `data`
    is left alone. A blank value never clears the record. Returns whether anything changed.
    Raises ValidationError on section A's field names."""
    from children import services as child_services

    child = pep.child
    if actor is None or not can_edit_record(relationship, child):
        return False
    changed = False
    legal = data.get("legal_status")
    if legal and legal != child.legal_status:
        try:
            child_services.child_update(actor=actor, child=child, legal_status=legal)
        except ValidationError as exc:
            raise ValidationError({"legal_status": exc.messages}) from exc
        changed = True
    entered = data.get("date_entered_care")
    if isinstance(entered, str) and entered:
        entered = dt.date.fromisoformat(entered)
    if entered:
        episode = _open_episode(child)
        try:
            if episode is None:
                if not child.care_episodes.filter(entered_care_on=entered).exists():
                    child_services.care_episode_start(actor=actor, child=child, entered_care_on=entered)
                    changed = True
            elif episode.entered_care_on != entered:
                child_services.care_episode_update(actor=actor, episode=episode, entered_care_on=entered)
                changed = True
        except ValidationError as exc:
            raise ValidationError({"date_entered_care": exc.messages}) from exc
    return changed


def snapshot(pep: Pep) -> Section | None:
    """Keep the record's facts in section A as they are now (at submission); returns the
    section when its data changed."""
    section = pep.sections.filter(letter="A").first()
    if section is None:
        return None
    data = {**without_facts(section.data or {}), **facts(pep.child), AS_OF: timezone.localdate().isoformat()}
    if data == section.data:
        return None
    Section.objects.filter(pk=section.pk).update(data=data)
    section.data = data
    return section
