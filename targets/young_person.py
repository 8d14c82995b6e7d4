"""The PEP's targets in the young person's words, for their "My PEP" page (a
peps.hooks.MY_PEP_TARGETS hook, registered in TargetsConfig.ready())."""

from __future__ import annotations

from peps.models import Pep
from peps.young_person import MyTarget

from .models import Target


def targets_for_young_person(pep: Pep) -> list[MyTarget]:
    targets = []
    for target in Target.objects.filter(pep=pep).select_related("carried_from").order_by("created_at", "pk"):
        helper = f" ({target.strategy_who})" if target.strategy_who else ""
        # A target carried forward from the last plan that answered what they said then.
        earlier = target.carried_from
        last_time = earlier.answers_ask_text.strip() if earlier is not None and earlier.answers_ask else ""
        targets.append(MyTarget(what=target.what, help=f"{target.strategy_what.strip()}{helper}".strip(),
                                by_when=target.by_when, answers=target.answers_ask,
                                last_time_said="" if target.answers_ask else last_time))
    return targets
