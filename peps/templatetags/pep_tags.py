"""Small helpers for PEP templates: status and state tags, and the child's PEP history."""

from __future__ import annotations

from django import template

from children.policies import page_relationship
from core.roles import EDITOR_ROLES, role_choices

from ..models import Pep, Section
from ..policies import can_start_pep

register = template.Library()

_STATUS_COLOURS: dict[str, str] = {
    Pep.Status.DRAFT: "govuk-tag--grey",
    Pep.Status.SUBMITTED: "govuk-tag--blue",
    Pep.Status.RETURNED: "govuk-tag--orange",
    Pep.Status.APPROVED: "govuk-tag--green",
}
_STATE_COLOURS: dict[str, str] = {
    Section.State.NOT_STARTED: "govuk-tag--grey",
    Section.State.IN_PROGRESS: "govuk-tag--light-blue",
    Section.State.COMPLETE: "govuk-tag--green",
}


@register.filter
def status_tag_class(status: str) -> str:
    return _STATUS_COLOURS.get(status, "govuk-tag--grey")


@register.filter
def state_tag_class(state: str) -> str:
    return _STATE_COLOURS.get(state, "govuk-tag--grey")


@register.simple_tag(takes_context=True)
def child_pep_history(context, child) -> dict:
    """The child's PEPs, newest first, and whether the person may start the next one."""
    peps = list(Pep.objects.filter(child=child).order_by("-created_at", "-pk"))
    rel = page_relationship(context, child)
    open_pep = next((p for p in peps if p.status in Pep.OPEN_STATUSES), None)
    return {"peps": peps, "open_pep": open_pep, "can_start": can_start_pep(rel) and open_pep is None}


@register.filter
def editor_labels(roles) -> str:

    labels = dict(role_choices(EDITOR_ROLES))
    return ", ".join(str(labels.get(r, r)) for r in roles or []) or "Nobody"


@register.filter
def filesize(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@register.inclusion_tag("peps/includes/record_changes.html")
def pep_record_changes(pep):
    """Attendance, attainment and exclusions against the last PEP, from the education record."""
    from peps.record_link import changes_since_last

    return {"pep": pep, "changes": changes_since_last(pep)}
