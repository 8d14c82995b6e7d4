"""Every write about SMART targets, their review, and Pupil Premium Plus (PP+).

Each public service runs in one transaction and writes exactly one audit event. Business
rules are raised as `ValidationError({field: message})` so a view can show them against its
form's fields; `Refused` is for a request that makes no sense in the current state.

`targets_carry_forward(new_pep, actor)` is the exception: peps.services.workflow.pep_start calls it
(a peps.hooks.CARRY_FORWARD hook) inside its own transaction, and the PEP's "created" event
(with `rolled_over_from`) is the one event for that write, so it writes none of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import LocalAuthority, User
from children.policies import relationship
from core.audit import Verb, audit_record, diff, snapshot
from core.refusals import Refused
from core.spreadsheets import spreadsheet_safe
from core.text_limits import require_text_limits, text_limit_errors
from peps.models import Pep
from peps.policies import PepAction, rel_allows
from peps.young_person import asks_of

from .models import (
    Area,
    Category,
    Outcome,
    PpPlusAllocation,
    PpPlusRequest,
    Target,
    TargetReview,
    financial_year_for,
)

TARGET_FIELDS = ("area", "what", "baseline", "success_criteria", "strategy_what", "strategy_who",
                 "strategy_how_often", "responsible", "responsible_user", "by_when", "pp_plus_requested",
                 "answers_ask", "status")
EDITABLE_FIELDS = TARGET_FIELDS[:-1]
REQUEST_FIELDS = ("amount", "what_it_buys", "category", "target", "status", "approved_amount", "reason",
                  "financial_year")

# A success criterion is measurable when it has a number or a word that counts.
_MEASURE = re.compile(
    r"\d|%|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|half|quarter|twice|all|every|each|daily|weekly|fortnightly|monthly|termly|per ?cent)\b",
    re.IGNORECASE,
)
FY_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


# What one PEP can hold. A real plan has a handful of SMART targets and PP+ requests; the
# limits stop one PEP growing without bound (its page and PDF show every one of them).
MAX_TARGETS_PER_PEP = 50
MAX_PP_PLUS_REQUESTS_PER_PEP = 50


def _require_room_for_a_target(pep: Pep) -> None:
    if Target.objects.filter(pep=pep).count() >= MAX_TARGETS_PER_PEP:
        raise Refused(f"This PEP already has {MAX_TARGETS_PER_PEP} targets, the most one PEP can hold. "
                            "Remove a target you no longer need before adding another.")


def is_measurable(text: str) -> bool:
    return bool(_MEASURE.search(text or ""))


def _locked_pep(pep_id: int) -> Pep:
    """Lock the PEP row so that target changes and the workflow (submit) never interleave."""
    return Pep.objects.select_for_update().select_related("child", "child__local_authority").get(pk=pep_id)


def _require(actor: User | None, pep: Pep, action: str) -> None:
    if actor is None:  # the system (demo data)
        return
    rel = relationship(actor, pep.child)
    if rel is None or not rel_allows(rel, pep, action):
        raise PermissionDenied


def _require_open(pep: Pep) -> None:
    if not pep.is_open:
        raise Refused(f"This PEP is {pep.get_status_display().lower()}, so its targets cannot be changed.")


def target_reference_date(pep: Pep) -> dt.date:
    """A target must be met after this: the PEP's meeting, or the day it began before there is one."""
    return pep.meeting_held_on or timezone.localtime(pep.created_at).date()


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------


NOT_MEASURABLE = ("Enter success criteria that can be measured, with a number – for example ‘reads 90 words a "
                  "minute’ or ‘attendance of 96% or more’")
NO_CRITERIA = "Enter the success criteria: how everyone will know the target has been met"


def by_when_errors(pep: Pep, by_when: dt.date, *, field: str = "by_when") -> dict[str, str]:
    """The date rule of a target (new or carried forward), once: after the PEP's meeting, or
    after the PEP began when no meeting is recorded. Called by the services and by the
    forms' clean (so it is reported with the form's other errors)."""
    reference = target_reference_date(pep)
    if by_when > reference:
        return {}
    if field == "new_by_when":
        return {field: f"The new date must be after {date_format(reference, 'j F Y')}"}
    what = "the PEP meeting" if pep.meeting_held_on else "the PEP began"
    return {field: f"The date the target should be met by must be after {what} ({date_format(reference, 'j F Y')})"}


def check_target(pep: Pep, fields: dict) -> dict:
    """Validate a target's fields against the SMART rules (every problem at once); return them cleaned."""
    cleaned: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()
                               if k in EDITABLE_FIELDS}
    errors: dict[str, str] = text_limit_errors(Target, cleaned)
    if cleaned.get("area") not in Area.values:
        errors["area"] = "Select the area of the target"
    if not cleaned.get("what"):
        errors["what"] = "Enter the target"
    criteria = cleaned.get("success_criteria") or ""
    if not criteria:
        errors["success_criteria"] = NO_CRITERIA
    elif not is_measurable(criteria):
        errors["success_criteria"] = NOT_MEASURABLE
    if not cleaned.get("strategy_what"):
        errors["strategy_what"] = "Enter what will be done to meet the target"
    if not cleaned.get("responsible") and not cleaned.get("responsible_user"):
        errors["responsible"] = "Enter who is responsible for the target"
    by_when = cleaned.get("by_when")
    if by_when is None:
        errors["by_when"] = "Enter the date the target should be met by"
    else:
        errors.update(by_when_errors(pep, by_when))
    amount = cleaned.get("pp_plus_requested")
    if amount is not None and amount < 0:
        errors["pp_plus_requested"] = "The PP+ cost must be £0 or more"
    if "answers_ask" in cleaned:
        # The young person's words as they are now are kept with the link.
        asked = {key: text for key, _label, text in asks_of(pep)}
        key = cleaned.get("answers_ask") or ""
        if key and key not in asked:
            errors["answers_ask"] = "Select something the young person asked for in section C, or ‘No’"
        cleaned["answers_ask"] = key
        cleaned["answers_ask_text"] = asked.get(key, "")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def target_add(*, actor: User | None, pep: Pep, **fields) -> Target:
    pep = _locked_pep(pep.pk)
    _require(actor, pep, PepAction.MANAGE_TARGETS)
    _require_open(pep)
    _require_room_for_a_target(pep)
    cleaned = check_target(pep, fields)
    target = Target.objects.create(pep=pep, child=pep.child, created_by=actor if getattr(actor, "pk", None) else None,
                                   **cleaned)
    audit_record(actor=actor, verb=Verb.CREATED, obj=target, child_id=pep.child_id,
                 changes={**diff({}, snapshot(target, TARGET_FIELDS)), "pep": [None, pep.pk]})
    return target


@transaction.atomic
def target_update(*, actor: User | None, target: Target, **fields) -> Target:
    pep = _locked_pep(target.pep_id)
    _require(actor, pep, PepAction.MANAGE_TARGETS)
    _require_open(pep)
    target = Target.objects.select_for_update().get(pk=target.pk)
    current = {name: getattr(target, name) for name in EDITABLE_FIELDS}
    cleaned = check_target(pep, {**current, **fields})
    before = snapshot(target, TARGET_FIELDS)
    for name, value in cleaned.items():
        setattr(target, name, value)
    target.updated_at = timezone.now()
    target.save()
    audit_record(actor=actor, verb=Verb.UPDATED, obj=target, child_id=pep.child_id,
                 changes=diff(before, snapshot(target, TARGET_FIELDS)))
    return target


@transaction.atomic
def target_delete(*, actor: User | None, target: Target) -> None:
    pep = _locked_pep(target.pep_id)
    _require(actor, pep, PepAction.MANAGE_TARGETS)
    _require_open(pep)
    target = Target.objects.select_for_update().get(pk=target.pk)
    if target.carried_from_id is not None:
        raise Refused("This target was carried forward from the previous PEP. To remove it, change the "
                            "review of the previous target instead.")
    if target.pp_plus_requests.exists():
        raise Refused("This target has a Pupil Premium Plus request, so it cannot be deleted.")
    before = snapshot(target, TARGET_FIELDS)
    pk = target.pk
    target.delete()
    audit_record(actor=actor, verb=Verb.DELETED, object_type="targets.target", object_id=pk,
                 child_id=pep.child_id, changes=diff(before, {}))


# --------------------------------------------------------------------------------------
# Review of the previous PEP's targets
# --------------------------------------------------------------------------------------


def targets_to_review(pep: Pep):
    """The previous PEP's targets, which this PEP reviews."""
    if pep.previous_id is None:
        return Target.objects.none()
    return Target.objects.filter(pep_id=pep.previous_id)


def targets_carry_forward(new_pep: Pep, actor: User | None = None) -> list[TargetReview]:
    """On rollover, list the previous PEP's open targets for review in the new PEP (pending).

    Called by peps.services.workflow.pep_start inside its transaction; its audit event covers this.
    """
    if new_pep.previous_id is None:
        return []
    existing = set(TargetReview.objects.filter(pep=new_pep).values_list("target_id", flat=True))
    rows = [TargetReview(pep=new_pep, target=t)
            for t in Target.objects.filter(pep_id=new_pep.previous_id, status=Target.Status.OPEN)
            if t.pk not in existing]
    return TargetReview.objects.bulk_create(rows)


def _copy_forward(target: Target, pep: Pep, by_when: dt.date, actor: User | None) -> Target:
    fields = {name: getattr(target, name) for name in EDITABLE_FIELDS}
    fields["by_when"] = by_when
    fields["pp_plus_requested"] = None  # a new PP+ plan is agreed in the new PEP
    # The link to what the young person asked for belongs to the PEP where they asked it: the
    # new PEP's section C says new things, and the copy answers none of them until the school
    # links it again. My PEP shows the old words as "Last time you said" (through carried_from).
    fields["answers_ask"] = ""
    return Target.objects.create(pep=pep, child_id=pep.child_id, carried_from=target, status=Target.Status.OPEN,
                                 created_by=actor if getattr(actor, "pk", None) else None, **fields)


@transaction.atomic
def target_review(*, actor: User | None, pep: Pep, target: Target, outcome: str, comment: str,
                  new_by_when: dt.date | None = None) -> TargetReview:
    """Review one of the previous PEP's targets in this PEP: its outcome and a comment.

    "Carried forward" copies the target into this PEP (with a new date); changing the
    outcome away from it again removes the copy.
    """
    pep = _locked_pep(pep.pk)
    _require(actor, pep, PepAction.REVIEW_TARGETS)
    _require_open(pep)
    locked = (Target.objects.select_for_update().filter(pk=target.pk, pep_id=pep.previous_id).first()
              if pep.previous_id is not None else None)
    if locked is None:
        raise Refused("That target is not one of the previous PEP's targets.")
    target = locked
    comment = (comment or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Select whether the target was achieved"})
    if not comment:
        raise ValidationError({"comment": "Enter a comment on the progress made towards the target"})
    review, _created = TargetReview.objects.select_for_update().get_or_create(pep=pep, target=target)
    before = {**snapshot(review, ("outcome", "comment", "carried_to")), "target.status": target.status}
    if outcome == Outcome.CARRIED_FORWARD:
        if review.carried_to_id is None:
            if new_by_when is None:
                raise ValidationError({"new_by_when": "Enter the new date the target should be met by"})
            if errors := by_when_errors(pep, new_by_when, field="new_by_when"):
                raise ValidationError(errors)
            _require_room_for_a_target(pep)
            review.carried_to = _copy_forward(target, pep, new_by_when, actor)
    elif (copy := review.carried_to) is not None:
        if copy.pp_plus_requests.exists():
            raise Refused("The carried-forward copy of this target has a Pupil Premium Plus request, so "
                                "it must stay carried forward.")
        review.carried_to = None
        copy.delete()
    require_text_limits(TargetReview, comment=comment)
    review.outcome = outcome
    review.comment = comment
    review.reviewed_by = actor if getattr(actor, "pk", None) else None
    review.reviewed_at = timezone.now()
    review.save()
    Target.objects.filter(pk=target.pk).update(status=outcome, updated_at=timezone.now())
    after = {**snapshot(review, ("outcome", "comment", "carried_to")), "target.status": outcome}
    audit_record(actor=actor, verb=Verb.UPDATED, obj=review, child_id=pep.child_id,
                 changes={**diff(before, after), "target": [None, target.pk]})
    return review


# --------------------------------------------------------------------------------------
# Pupil Premium Plus
# --------------------------------------------------------------------------------------


def _money(value, field: str, message: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: message}) from None
    return amount


@transaction.atomic
def pp_plus_request(*, actor: User | None, pep: Pep, amount, what_it_buys: str, category: str,
                    target: Target | None = None, over_allocation_reason: str = "") -> PpPlusRequest:
    """The school asks the Virtual School for PP+ against the PEP (usually a target of it).

    A request that would take the child's year past its allocation (what is approved and
    waiting, plus this) says so with the figures and needs `over_allocation_reason`."""
    pep = _locked_pep(pep.pk)
    _require(actor, pep, PepAction.REQUEST_PP_PLUS)
    _require_open(pep)
    amount = _money(amount, "amount", "Enter the amount in pounds, like 450 or 450.50")
    if amount <= 0:
        raise ValidationError({"amount": "The amount must be more than £0"})
    what_it_buys = (what_it_buys or "").strip()
    if not what_it_buys:
        raise ValidationError({"what_it_buys": "Enter what the money will buy"})
    require_text_limits(PpPlusRequest, what_it_buys=what_it_buys)
    if category not in Category.values:
        raise ValidationError({"category": "Select the kind of intervention"})
    if target is not None and target.pep_id != pep.pk:
        raise ValidationError({"target": "Select one of this PEP's targets"})
    if PpPlusRequest.objects.filter(pep=pep).count() >= MAX_PP_PLUS_REQUESTS_PER_PEP:
        raise Refused(f"This PEP already has {MAX_PP_PLUS_REQUESTS_PER_PEP} Pupil Premium Plus requests, the "
                            "most one PEP can hold. Ask the Virtual School about the requests already made.")
    now = timezone.now()
    financial_year = financial_year_for(timezone.localtime(now).date())
    over_allocation_reason = (over_allocation_reason or "").strip()
    require_text_limits(PpPlusRequest, over_allocation_reason=over_allocation_reason)
    over = over_allocation(pep.child, financial_year, amount)
    if over is not None and not over_allocation_reason:
        raise ValidationError({"over_allocation_reason": over})
    request = PpPlusRequest.objects.create(
        pep=pep, child=pep.child, target=target, amount=amount, what_it_buys=what_it_buys, category=category,
        requested_by=actor if getattr(actor, "pk", None) else None, requested_at=now,
        financial_year=financial_year, over_allocation_reason=over_allocation_reason if over else "")
    audit_record(actor=actor, verb=Verb.CREATED, obj=request, child_id=pep.child_id,
                 changes={**diff({}, snapshot(request, REQUEST_FIELDS)), "pep": [None, pep.pk],
                          "over_allocation_reason": [None, request.over_allocation_reason]})
    return request


def _pounds(amount) -> str:
    amount = Decimal(amount)
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


def over_allocation(child, financial_year: str, amount: Decimal) -> str | None:
    """The message, with the figures, when asking for `amount` would take the child's year past
    its allocation (approved and waiting requests count); None when it would not, or when
    the LA has set no allocation for the year."""
    from .selectors import ledger_for

    ledger = ledger_for(child, financial_year)
    if ledger.allocation is None:
        return None
    committed = ledger.approved + ledger.waiting
    if committed + amount <= ledger.allocation:
        return None
    return (f"This request would take {child.display_name}’s Pupil Premium Plus for {financial_year} past its "
            f"allocation: the allocation is {_pounds(ledger.allocation)}, {_pounds(ledger.approved)} is approved "
            f"and {_pounds(ledger.waiting)} is waiting for a decision, so {_pounds(committed + amount)} with this "
            f"request, {_pounds(committed + amount - ledger.allocation)} over. "
            "Enter why it should go past the allocation")


@transaction.atomic
def pp_plus_withdraw(*, actor: User, request: PpPlusRequest) -> PpPlusRequest:
    """The person who asked withdraws a request still waiting for a decision."""
    if request.requested_by_id is None or request.requested_by_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the person who made the request can withdraw it.")
    updated = PpPlusRequest.objects.filter(pk=request.pk, status=PpPlusRequest.Status.REQUESTED).update(
        status=PpPlusRequest.Status.WITHDRAWN)
    if updated == 0:
        raise Refused("This request has already been decided, so it can no longer be withdrawn.")
    audit_record(actor=actor, verb=Verb.UPDATED, obj=request, child_id=request.child_id,
                 changes={"status": [PpPlusRequest.Status.REQUESTED, PpPlusRequest.Status.WITHDRAWN]})
    request.status = PpPlusRequest.Status.WITHDRAWN
    return request


class Decision:
    APPROVE = "approve"
    PART_APPROVE = "part_approve"
    DECLINE = "decline"
    CHOICES = [(APPROVE, "Approve the full amount"), (PART_APPROVE, "Approve part of it"),
               (DECLINE, "Decline it")]


@transaction.atomic
def pp_plus_decide(*, actor: User | None, request: PpPlusRequest, decision: str, approved_amount=None,
                   reason: str = "") -> PpPlusRequest:
    """The Virtual School approves, part-approves (with the amount) or declines (with a reason).

    Nothing becomes payable until the PEP is approved (PpPlusRequest.payable).
    """
    pep = _locked_pep(request.pep_id)
    _require(actor, pep, PepAction.DECIDE_PP_PLUS)
    request = PpPlusRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != PpPlusRequest.Status.REQUESTED:
        raise Refused(f"This request has already been decided ({request.get_status_display().lower()}).")
    reason = (reason or "").strip()
    if decision == Decision.APPROVE:
        status, amount = PpPlusRequest.Status.APPROVED, request.amount
    elif decision == Decision.PART_APPROVE:
        if approved_amount in (None, ""):
            raise ValidationError({"approved_amount": "Enter the amount you approve"})
        amount = _money(approved_amount, "approved_amount", "Enter the amount in pounds, like 300 or 300.50")
        if not Decimal("0") < amount < request.amount:
            raise ValidationError({"approved_amount": f"The amount approved must be more than £0 and less than "
                                                      f"the £{request.amount:,.2f} requested"})
        if not reason:
            raise ValidationError({"reason": "Enter why only part of the amount is approved"})
        status = PpPlusRequest.Status.PART_APPROVED
    elif decision == Decision.DECLINE:
        if not reason:
            raise ValidationError({"reason": "Enter why the request is declined"})
        status, amount = PpPlusRequest.Status.DECLINED, None
    else:
        raise ValidationError({"decision": "Select your decision"})
    require_text_limits(PpPlusRequest, reason=reason)
    before = snapshot(request, REQUEST_FIELDS)
    now = timezone.now()
    updated = PpPlusRequest.objects.filter(pk=request.pk, status=PpPlusRequest.Status.REQUESTED).update(
        status=status, approved_amount=amount, reason=reason, decided_at=now,
        decided_by=actor if getattr(actor, "pk", None) else None)
    if updated == 0:
        raise Refused("Someone else decided this request first.")
    request.refresh_from_db()
    audit_record(actor=actor, verb=Verb.APPROVED if status != PpPlusRequest.Status.DECLINED else Verb.DECLINED,
                 obj=request, child_id=pep.child_id, changes=diff(before, snapshot(request, REQUEST_FIELDS)))
    return request


def check_financial_year(value: str) -> str:
    value = (value or "").strip()
    match = FY_PATTERN.match(value)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValidationError({"financial_year": "Enter a financial year like 2026-27"})
    return value


@transaction.atomic
def pp_plus_allocation_set(*, actor: User | None, local_authority: LocalAuthority, financial_year: str,
                           amount_per_child) -> PpPlusAllocation:
    financial_year = check_financial_year(financial_year)
    amount = _money(amount_per_child, "amount_per_child", "Enter the amount in pounds, like 2570")
    if amount < 0:
        raise ValidationError({"amount_per_child": "The amount must be £0 or more"})
    row = PpPlusAllocation.objects.select_for_update().filter(local_authority=local_authority,
                                                              financial_year=financial_year).first()
    before = snapshot(row, ("financial_year", "amount_per_child")) if row else {}
    if row is None:
        row = PpPlusAllocation(local_authority=local_authority, financial_year=financial_year)
    row.amount_per_child = amount
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.updated_at = timezone.now()
    row.save()
    audit_record(actor=actor, verb=Verb.UPDATED if before else Verb.CREATED, obj=row,
                 changes=diff(before, snapshot(row, ("financial_year", "amount_per_child"))))
    return row


EXPORT_COLUMNS = ["child_ref", "child_name", "school_urn", "request_id", "category", "amount_requested",
                  "amount_approved", "status", "payable", "decided_on"]


@transaction.atomic
def pp_plus_export_csv(*, actor: User, local_authority: LocalAuthority, financial_year: str) -> str:
    """The LA's PP+ requests of one financial year as CSV for finance; the export is audited."""
    from .selectors import requests_for_export

    financial_year = check_financial_year(financial_year)
    rows = requests_for_export(local_authority, financial_year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        school = r.pep.school
        writer.writerow([spreadsheet_safe(v) for v in (
            r.child.la_reference, f"{r.child.first_name} {r.child.last_name}", school.urn if school else "",
            r.pk, r.get_category_display(), f"{r.amount:.2f}",
            f"{r.approved_amount:.2f}" if r.approved_amount is not None else "", r.get_status_display(),
            "yes" if r.payable else "no",
            timezone.localtime(r.decided_at).date().isoformat() if r.decided_at else "",
        )])
    audit_record(actor=actor, verb=Verb.EXPORTED, object_type="targets.ppplusrequest",
                 object_id=f"{local_authority.code}:{financial_year}",
                 changes={"financial_year": financial_year, "rows": len(rows)})
    return out.getvalue()
