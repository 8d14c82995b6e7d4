"""What about targets stops a PEP being submitted (a peps.hooks.BEFORE_SUBMIT hook,
registered in TargetsConfig.ready(); called by peps.services.workflow.pep_submit)."""

from __future__ import annotations

from children.models import Phase
from peps.models import Pep

from .models import ACADEMIC_AREAS, Target, TargetReview

NEEDS_ACADEMIC = "Add at least one academic target (English, maths, science or other academic)"
NEEDS_REVIEW = "Review each of the previous PEP's targets"


def problems_before_submit(pep: Pep) -> list[str]:
    problems: list[str] = []
    # Seed 003: at least one academic target for a child of school age.
    if pep.phase == Phase.SCHOOL_AGE and not Target.objects.filter(pep=pep, area__in=ACADEMIC_AREAS).exists():
        problems.append(NEEDS_ACADEMIC)
    if pep.previous_id is not None:
        previous = set(Target.objects.filter(pep_id=pep.previous_id).values_list("pk", flat=True))
        done = {r.target_id for r in TargetReview.objects.filter(pep=pep, target_id__in=previous) if r.is_done}
        if previous - done:
            problems.append(NEEDS_REVIEW)
    return problems
