"""Demo targets, reviews and PP+ for the demo LA's PEPs (peps.demo seeds the PEPs first).

Every target status and every PP+ state appears: each PEP gets an English, a maths and a
wellbeing target; the next PEP reviews them (achieved, partly achieved, not achieved,
carried forward, in turn; a draft PEP leaves some still to review); each PEP has a PP+
request, decided (approved, part approved or declined) on finished PEPs and waiting on
open ones. The LA gets a PP+ allocation for the current financial year. Rows are written
directly (no emails). Idempotent: an LA whose children already have targets is left alone,
and with no PEPs only the allocation is set.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import School, User
from peps.models import Pep
from peps.young_person import asks_of

from .models import Outcome, PpPlusAllocation, PpPlusRequest, Target, TargetReview, financial_year_for

ALLOCATION = Decimal("2570.00")

TEMPLATES: list[dict[str, Any]] = [
    dict(area="english", what="Read a book of their choice each week and talk about it",
         baseline="Reads about 60 words a minute", success_criteria="Reads 90 words a minute in the spring test",
         strategy_what="Paired reading with a reading buddy", strategy_who="English TA and carer",
         strategy_how_often="Three 20-minute sessions a week", responsible="Head of English",
         pp_plus_requested=Decimal("400.00")),
    dict(area="maths", what="Know the times tables to 12 by heart",
         baseline="Scores 18 out of 40 on the multiplication check",
         success_criteria="Scores 35 out of 40 on the multiplication check",
         strategy_what="One-to-one tuition and daily online practice", strategy_who="Maths tutor",
         strategy_how_often="One hour a week", responsible="Maths lead", pp_plus_requested=Decimal("600.00")),
    dict(area="wellbeing", what="Join a lunchtime or after-school club",
         baseline="Spends most lunchtimes alone", success_criteria="Attends a club at least once every week",
         strategy_what="Try out drama and football clubs", strategy_who="Form tutor",
         strategy_how_often="Weekly", responsible="Form tutor", pp_plus_requested=None),
]
OUTCOMES = [Outcome.ACHIEVED, Outcome.PARTLY_ACHIEVED, Outcome.NOT_ACHIEVED, Outcome.CARRIED_FORWARD]


def _reference(pep: Pep) -> dt.date:
    return pep.meeting_held_on or timezone.localtime(pep.created_at).date()


def _targets(pep: Pep, creator: User) -> list[Target]:
    by_when = _reference(pep) + dt.timedelta(days=110)
    # "You said, we did": the maths target answers "Maths is hard sometimes" where section C says it.
    asked = {key: text for key, _label, text in asks_of(pep)}
    linked = {"maths": "could_be_better"}

    def link(t: dict) -> dict:
        key = linked.get(t["area"], "")
        return {"answers_ask": key, "answers_ask_text": asked[key]} if key in asked else {}

    return Target.objects.bulk_create(
        Target(pep=pep, child=pep.child, by_when=by_when, created_by=creator, created_at=pep.created_at,
               **t, **link(t))
        for t in TEMPLATES
    )


def _review(pep: Pep, step: int, dt_user: User) -> None:
    if pep.previous_id is None:  # Only a later PEP reviews the targets of the one before.
        return
    previous = list(Target.objects.filter(pep_id=pep.previous_id).order_by("pk"))
    reviewed_at = timezone.now()
    # A draft PEP is part-way through its review; the rest have finished it.
    to_review = previous[:1] if pep.status == Pep.Status.DRAFT else previous
    for n, target in enumerate(previous):
        if target not in to_review:
            TargetReview.objects.get_or_create(pep=pep, target=target)
            continue
        outcome = OUTCOMES[(step + n) % len(OUTCOMES)]
        copy = None
        if outcome == Outcome.CARRIED_FORWARD:
            fields = {f: getattr(target, f) for f in ("area", "what", "baseline", "success_criteria",
                                                      "strategy_what", "strategy_who", "strategy_how_often",
                                                      "responsible")}
            copy = Target.objects.create(pep=pep, child=pep.child, carried_from=target,
                                         by_when=_reference(pep) + dt.timedelta(days=110), created_by=dt_user,
                                         **fields)
        TargetReview.objects.update_or_create(pep=pep, target=target, defaults=dict(
            outcome=outcome, comment=f"{Outcome(outcome).label}: discussed at the meeting with the evidence.",
            carried_to=copy, reviewed_by=dt_user, reviewed_at=reviewed_at))
        Target.objects.filter(pk=target.pk).update(status=outcome)


def _request(pep: Pep, target: Target, status: PpPlusRequest.Status, dt_user: User, vs: User) -> None:
    requested_at = pep.created_at + dt.timedelta(days=35)
    if requested_at > timezone.now():
        requested_at = timezone.now()
    amount = target.pp_plus_requested or Decimal("250.00")
    decided = status != PpPlusRequest.Status.REQUESTED
    approved = {PpPlusRequest.Status.APPROVED: amount,
                PpPlusRequest.Status.PART_APPROVED: (amount / 2).quantize(Decimal("0.01"))}.get(status)
    reason = {PpPlusRequest.Status.PART_APPROVED: "Half now; ask again with the spring test results.",
              PpPlusRequest.Status.DECLINED: "The school's own catch-up funding covers this."}.get(status, "")
    PpPlusRequest.objects.create(
        pep=pep, child=pep.child, target=target, amount=amount, category="tuition" if target.area == "maths"
        else "literacy", what_it_buys=f"Sessions for the {target.get_area_display().lower()} target",
        status=status, approved_amount=approved, reason=reason, requested_by=dt_user, requested_at=requested_at,
        financial_year=financial_year_for(timezone.localtime(requested_at).date()),
        decided_by=vs if decided else None, decided_at=requested_at + dt.timedelta(days=3) if decided else None)


def seed(la, schools: list[School], people: dict[str, User]) -> None:
    PpPlusAllocation.objects.get_or_create(
        local_authority=la, financial_year=financial_year_for(timezone.localdate()),
        defaults={"amount_per_child": ALLOCATION, "updated_by": people.get("vs@demo.test")})
    if Target.objects.filter(child__local_authority=la).exists():
        return
    peps = list(Pep.objects.filter(child__local_authority=la).select_related("child")
                .order_by("created_at", "pk"))
    if not peps:
        return
    dt_user, vs = people["dt@demo.test"], people["vs@demo.test"]
    decided = [PpPlusRequest.Status.APPROVED, PpPlusRequest.Status.PART_APPROVED, PpPlusRequest.Status.DECLINED]
    first_open_request = True
    for step, pep in enumerate(peps):
        targets = _targets(pep, dt_user)
        if pep.previous_id is not None:
            _review(pep, step, dt_user)
        if pep.status in (Pep.Status.APPROVED, Pep.Status.SUBMITTED):
            status = decided[step % len(decided)]
        elif first_open_request:
            # Approved before the PEP is: shown as "not payable until the PEP is approved".
            status, first_open_request = PpPlusRequest.Status.APPROVED, False
        else:
            status = PpPlusRequest.Status.REQUESTED
        _request(pep, targets[step % 2], status, dt_user, vs)
