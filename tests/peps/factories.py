"""Helpers that build PEPs through the real services (so sections come from the configuration)."""

from __future__ import annotations

from children.models import Child
from peps.demo import sample_answers, save_answers
from peps.models import Pep
from peps.services.workflow import pep_start


def start_pep(child, kind: str = Pep.Kind.TERMLY, actor=None) -> Pep:
    return pep_start(actor=actor, child=child, kind=kind)


def complete_sections(pep: Pep, letters: str = "ABCDE") -> None:
    """Fill in and mark complete the given sections with valid answers (as the system).

    Section A is complete only when the child's record has a legal status (and a time in
    care, which every test child has): one is recorded when it is missing."""
    if "A" in letters:
        Child.objects.filter(pk=pep.child_id, legal_status="").update(legal_status=Child.LegalStatus.CO)
    for section in pep.sections.filter(letter__in=list(letters)):
        save_answers(actor=None, section=section, answers=sample_answers(pep.phase, section.letter),
                     version=section.version, mark_complete=True)


def ready_to_submit(child) -> Pep:
    pep = start_pep(child)
    complete_sections(pep)
    Pep.objects.filter(pk=pep.pk).update(meeting_held_on="2026-01-10")
    pep.refresh_from_db()
    return pep


def set_status(pep: Pep, status: str) -> Pep:
    Pep.objects.filter(pk=pep.pk).update(status=status)
    pep.refresh_from_db()
    return pep
