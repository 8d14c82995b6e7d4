"""The PEP as a PDF: every section, meeting, targets, PP+, QA outcome and documents."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import render_pdf
from education.chronology import chronology_of
from peps.models import Pep

from . import integrations
from .models import QaReview


def pep_pdf_context(pep: Pep, *, show_pp_plus: bool, professional: bool) -> dict:
    child = pep.child
    sections = [
        {"letter": s.letter, "title": s.title, "state": s.get_state_display(),
         "rows": integrations.section_rows(pep, s, professional=professional)}
        for s in pep.sections.all().order_by("letter")
    ]
    extras = integrations.pep_extras(pep, professional=professional)
    # Quality assurance is for professionals: the family's copy has no QA at all.
    review = None
    if professional:
        review = QaReview.objects.filter(pep=pep).prefetch_related("ratings").select_related("reviewer").first()
    placement = child.placements.filter(ended_on__isnull=True).select_related("school").first()
    return {
        "pep": pep,
        "child": child,
        "school": pep.school or (placement.school if placement else None),
        "placement": placement,
        "sections": sections,
        "extras": extras,
        "show_pp_plus": show_pp_plus,
        "review": review,
        "professional": professional,
        "generated_at": timezone.localtime(),
        "title": pdf_title(pep),
        # The child's chronology (education.chronology) in the professionals' copy only: the
        # stored copy is rendered for the family.
        "chronology": chronology_of(child, professional=True) if professional else None,
        "family": None if professional else family_view(sections, extras),
    }


NOT_RECORDED = "Not recorded"


def _listed(labels: list[str]) -> str:
    return "; ".join(label.replace(" (optional)", "").lower() for label in labels)


def family_view(sections: list[dict], extras) -> dict:
    """What the family's copy shows besides the sections: nothing empty, and what is still
    missing said once (section by section), not as a "Not recorded" line per field."""
    missing: list[str] = []
    for section in sections:
        empty = [label for label, value in section["rows"] if value == NOT_RECORDED]
        section["rows"] = [(label, value) for label, value in section["rows"] if value != NOT_RECORDED]
        if empty:
            missing.append(f"Section {section['letter']} ({section['title']}): {_listed(empty)}")
    meeting = dict(extras.meeting)
    shown_meeting = [(label, value) for label, value in extras.meeting
                     if value != NOT_RECORDED and label != "Next meeting"]
    empty_meeting = [label for label, value in extras.meeting if value == NOT_RECORDED]
    if empty_meeting:
        missing.append(f"The meeting record: {_listed(empty_meeting)}")
    next_meeting = meeting.get("Next meeting")
    return {
        "missing": missing,
        "meeting": shown_meeting,
        "next_meeting": next_meeting if next_meeting and next_meeting != NOT_RECORDED else "",
    }


def pdf_title(pep: Pep) -> str:
    return f"Personal Education Plan – {pep.child.display_name} – {pep.get_term_display()} term {pep.academic_year}"


def pep_pdf_html(pep: Pep, *, show_pp_plus: bool, professional: bool) -> str:
    # Django's autoescaping is on: every value from a form is text in the HTML, never markup.
    # The family's copy (carers, the young person, and the stored copy of an approved PEP)
    # is a family document: what was agreed first, no QA, nothing empty line by line.
    template = "pdf/pep.html" if professional else "pdf/pep_family.html"
    return render_to_string(template,
                            pep_pdf_context(pep, show_pp_plus=show_pp_plus, professional=professional))


def pep_pdf_bytes(pep: Pep, *, show_pp_plus: bool, professional: bool) -> bytes:
    html = pep_pdf_html(pep, show_pp_plus=show_pp_plus, professional=professional)
    return render_pdf(html, title=pdf_title(pep), lang="en-GB")
