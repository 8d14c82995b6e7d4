"""`{% child_deadlines child %}`: the deadlines section of a child's page."""

from __future__ import annotations

from django import template

from children.policies import Action, page_can

from ..engine import Kind
from ..selectors import deadlines_for_child

register = template.Library()


@register.inclusion_tag("timeliness/includes/child_deadlines.html", takes_context=True)
def child_deadlines(context, child) -> dict:
    deadlines = deadlines_for_child(child)
    if not page_can(context, child, Action.VIEW_PROFESSIONAL):
        # Quality assurance is the professionals' (issue 14): the family sees no QA step.
        deadlines = [d for d in deadlines if d.kind != Kind.QA]
    return {
        "child": child,
        "deadlines": deadlines,
        "can_request_concern": page_can(context, child, Action.REQUEST_CONCERN_REVIEW),
    }
