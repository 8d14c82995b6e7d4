"""Where higher apps take part in the PEP workflow (core.hooks; register in AppConfig.ready()).

- `BEFORE_SUBMIT`: `fn(pep) -> Iterable[str | (message, url) | Problem]`, what else stops
  the PEP being submitted (targets, meetings). Called by `pep_submit` with the PEP locked.
- `AFTER_APPROVE`: `fn(pep) -> None`, inside `pep_approve`'s transaction once the PEP is
  approved (quality renders the stored PDF after the commit).
- `CARRY_FORWARD`: `fn(new_pep, actor) -> object`, inside `pep_start`'s transaction when
  the new PEP rolls over from an approved one (targets lists the open targets for review).
  The PEP's "created" audit event covers what it writes.
- `MY_PEP_NEXT_MEETING`: `fn(child) -> peps.young_person.MyMeeting | None`, the young
  person's next meeting for "My PEP" (meetings); the first answer that is not None is shown.
- `MY_PEP_TARGETS`: `fn(pep) -> list[peps.young_person.MyTarget]`, the PEP's targets in the
  young person's words for "My PEP" (targets).
"""

from __future__ import annotations

BEFORE_SUBMIT = "before_pep_submit"
AFTER_APPROVE = "after_pep_approve"
CARRY_FORWARD = "pep_carry_forward"
MY_PEP_NEXT_MEETING = "my_pep_next_meeting"
MY_PEP_TARGETS = "my_pep_targets"
