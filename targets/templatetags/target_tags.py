"""Template tags that let other apps' pages show targets and PP+ without their views knowing
about them: the PEP's section E (`pep_targets_panel`) and the child's page
(`child_target_history`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from children.models import Phase
from children.policies import page_relationship
from peps.policies import PepAccess, PepAction

from .. import selectors
from ..models import PpPlusRequest
from ..policies import can_see_pp_plus_amounts

register = template.Library()


def _pep_access(context) -> PepAccess | None:
    """`pep_access` (a peps.policies.PepAccess) comes from the page's context; the PEP's own
    pages call it `access`, so that name is accepted too."""
    for name in ("pep_access", "access"):
        value = context.get(name)
        if isinstance(value, PepAccess):
            return value
    return None


@register.filter
def money(value) -> str:
    """£1,234.50 (or £1,234 for whole pounds)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


@register.filter
def status_tag(status: str) -> str:
    return {
        "open": "govuk-tag--blue", "achieved": "govuk-tag--green", "partly_achieved": "govuk-tag--yellow",
        "not_achieved": "govuk-tag--red", "carried_forward": "govuk-tag--purple",
        "requested": "govuk-tag--blue", "approved": "govuk-tag--green", "part_approved": "govuk-tag--yellow",
        "declined": "govuk-tag--red",
    }.get(status, "govuk-tag--grey")


@register.simple_tag(takes_context=True)
def pep_targets_panel(context, pep) -> dict:
    pep_access = _pep_access(context)
    can = pep_access.can if pep_access is not None else (lambda action: False)
    targets = selectors.pep_targets(pep)
    reviews = selectors.pep_reviews(pep)
    requests = list(PpPlusRequest.objects.filter(pep=pep).select_related("target").order_by("requested_at", "pk"))
    for r in requests:
        r.pep = pep
    return {
        "targets": targets,
        "reviews": reviews,
        "reviews_waiting": sum(1 for _t, r in reviews if r is None or not r.is_done),
        "requests": requests,
        "academic_missing": pep.phase == Phase.SCHOOL_AGE and not any(t.is_academic for t in targets),
        "can_manage": can(PepAction.MANAGE_TARGETS),
        "can_review": can(PepAction.REVIEW_TARGETS),
        "can_request": can(PepAction.REQUEST_PP_PLUS),
        "can_decide": can(PepAction.DECIDE_PP_PLUS),
        "show_amounts": can(PepAction.VIEW_PP_PLUS_AMOUNTS),
        "user_id": getattr(getattr(context.get("request"), "user", None), "pk", None),
    }


@register.simple_tag(takes_context=True)
def child_target_history(context, child) -> dict:
    rel = page_relationship(context, child)
    return {"history": selectors.child_target_history(child), "show_ledger": can_see_pp_plus_amounts(rel, child)}
