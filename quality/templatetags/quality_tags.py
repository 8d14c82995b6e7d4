"""Inclusion tags other apps' pages use to show quality assurance.

On the PEP's page:   {% load quality_tags %}{% pep_qa pep %}
On the child's page: {% load quality_tags %}{% child_last_qa child %}
"""

from __future__ import annotations

from django import template

from children.policies import page_relationship
from core.roles import Role
from peps.models import Pep
from peps.policies import PROFESSIONAL_RELATIONSHIPS, PepAction, rel_allows

from .. import selectors

register = template.Library()


@register.inclusion_tag("quality/includes/pep_qa.html", takes_context=True)
def pep_qa(context, pep):
    rel = page_relationship(context, pep.child)
    # Quality assurance is for professionals: a carer or the young person sees only the PDF link.
    professional = rel in PROFESSIONAL_RELATIONSHIPS
    return {
        "pep": pep,
        "professional": professional,
        "reviews": selectors.qa_history(pep) if professional else [],
        "can_qa": rel is not None and rel_allows(rel, pep, PepAction.QA),
        "can_download": rel is not None and rel_allows(rel, pep, PepAction.DOWNLOAD),
        # The Virtual School is told when the stored copy of an approved PEP is missing.
        "pdf_state": selectors.stored_pdf_state(pep) if rel in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN) else "",
    }


@register.inclusion_tag("quality/includes/child_last_qa.html", takes_context=True)
def child_last_qa(context, child):
    rel = page_relationship(context, child)
    if rel not in PROFESSIONAL_RELATIONSHIPS:
        # Quality assurance is for professionals: nothing of it for the family.
        return {"review": None, "pep_url": "", "hidden": True}
    review = selectors.last_qa_for_child(child)
    pep_url = ""
    if review is not None:
        from ..views import pep_page_url

        pep_url = pep_page_url(review.pep)
    return {"review": review, "pep_url": pep_url}


_RAG_CLASSES = {"red": "govuk-tag--red", "amber": "govuk-tag--yellow", "green": "govuk-tag--green"}


@register.filter
def rag_class(rating: str | None) -> str:
    """The GOV.UK tag colour for a rating (GOV.UK's yellow tag is the amber)."""
    return _RAG_CLASSES.get(rating or "", "govuk-tag--grey")


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template (breakdown counts by figure), 0 when absent."""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0


@register.inclusion_tag("quality/includes/pep_precheck.html", takes_context=True)
def pep_precheck(context, pep):
    """The provisional QA rating, for the professionals in the team while the PEP is open."""
    from peps.policies import PROFESSIONAL_RELATIONSHIPS

    from ..precheck import pre_check

    rel = page_relationship(context, pep.child)
    show = rel in PROFESSIONAL_RELATIONSHIPS and pep.status in Pep.OPEN_STATUSES
    return {"pep": pep, "check": pre_check(pep) if show else None}


@register.filter(name="lower_first")
def lower_first_filter(text) -> str:
    """For text inside a sentence: "Children needing a PEP" → "children needing a PEP" (not "pep", not "pEP")."""
    from core.text import lower_first

    return lower_first(str(text))
