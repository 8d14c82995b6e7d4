"""Reads about targets and PP+, in a fixed number of queries however many rows there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import LocalAuthority, User
from children.models import Child
from core.roles import Role
from peps.models import Pep

from .models import AREA_ORDER, PpPlusAllocation, PpPlusRequest, Target, TargetReview, financial_year_for

ZERO = Decimal("0.00")
_MONEY: DecimalField = DecimalField(max_digits=12, decimal_places=2)
_APPROVED = Q(status__in=PpPlusRequest.APPROVED_STATUSES)


def current_financial_year() -> str:
    return financial_year_for(timezone.localdate())


def allocation_for(local_authority_id: int, financial_year: str) -> Decimal | None:
    return (PpPlusAllocation.objects.filter(local_authority_id=local_authority_id, financial_year=financial_year)
            .values_list("amount_per_child", flat=True).first())


@dataclass
class Ledger:
    """One child's PP+ in one financial year."""

    financial_year: str
    allocation: Decimal | None
    requested: Decimal = ZERO
    waiting: Decimal = ZERO
    approved: Decimal = ZERO
    payable: Decimal = ZERO
    requests: list[PpPlusRequest] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal | None:
        """What is left of the allocation after everything approved (None when no allocation is set)."""
        return None if self.allocation is None else self.allocation - self.approved

    @property
    def overspent(self) -> bool:
        return self.allocation is not None and self.approved > self.allocation

    def would_overspend(self, request: PpPlusRequest) -> bool:
        """Approving `request` in full would take the approved total past the allocation."""
        if self.allocation is None:
            return False
        already = self.approved - ((request.approved_amount or ZERO) if request.is_approved else ZERO)
        return already + request.amount > self.allocation


def _sums(qs: QuerySet[PpPlusRequest]) -> dict:
    return qs.aggregate(
        # A withdrawn request was never asked for, in the figures.
        requested=Coalesce(Sum("amount", filter=~Q(status=PpPlusRequest.Status.WITHDRAWN)), Value(ZERO),
                           output_field=_MONEY),
        waiting=Coalesce(Sum("amount", filter=Q(status=PpPlusRequest.Status.REQUESTED)), Value(ZERO),
                         output_field=_MONEY),
        approved=Coalesce(Sum("approved_amount", filter=_APPROVED), Value(ZERO), output_field=_MONEY),
        payable=Coalesce(Sum("approved_amount", filter=_APPROVED & Q(pep__status=Pep.Status.APPROVED)),
                         Value(ZERO), output_field=_MONEY),
    )


def with_payable(qs: QuerySet[PpPlusRequest]) -> QuerySet[PpPlusRequest]:
    """Annotate `payable_now`: the approved amount when the PEP is approved, else 0."""
    return qs.annotate(payable_now=Case(
        When(_APPROVED & Q(pep__status=Pep.Status.APPROVED), then=F("approved_amount")),
        default=Value(ZERO), output_field=_MONEY))


def ledger_for(child: Child, financial_year: str) -> Ledger:
    """Allocation, requested, waiting, approved, payable and remaining (three queries)."""
    requests = PpPlusRequest.objects.filter(child=child, financial_year=financial_year)
    ledger = Ledger(financial_year=financial_year,
                    allocation=allocation_for(child.local_authority_id, financial_year), **_sums(requests))
    ledger.requests = list(requests.select_related("pep", "target", "decided_by").order_by("requested_at", "pk"))
    return ledger


def financial_years_for(child: Child) -> list[str]:
    years = set(PpPlusRequest.objects.filter(child=child).values_list("financial_year", flat=True).distinct())
    years.add(current_financial_year())
    return sorted(years, reverse=True)


def waiting_requests_for(user: User) -> list[tuple[PpPlusRequest, Ledger]]:
    """The Virtual School's queue: its LA's requests waiting for a decision, each with its child's
    ledger for the request's year (four queries however many requests)."""
    if user.role != Role.VIRTUAL_SCHOOL or user.local_authority_id is None:
        return []
    waiting = list(PpPlusRequest.objects.filter(child__local_authority_id=user.local_authority_id,
                                                status=PpPlusRequest.Status.REQUESTED)
                   .select_related("child", "pep", "target").order_by("requested_at", "pk"))
    if not waiting:
        return []
    keys = {(r.child_id, r.financial_year) for r in waiting}
    totals = (PpPlusRequest.objects
              .filter(child_id__in={k[0] for k in keys}, financial_year__in={k[1] for k in keys})
              .values("child_id", "financial_year")
              .annotate(requested=Coalesce(Sum("amount"), Value(ZERO), output_field=_MONEY),
                        waiting=Coalesce(Sum("amount", filter=Q(status=PpPlusRequest.Status.REQUESTED)),
                                         Value(ZERO), output_field=_MONEY),
                        approved=Coalesce(Sum("approved_amount", filter=_APPROVED), Value(ZERO),
                                          output_field=_MONEY),
                        payable_total=Coalesce(Sum("approved_amount",
                                                   filter=_APPROVED & Q(pep__status=Pep.Status.APPROVED)),
                                               Value(ZERO), output_field=_MONEY)))
    by_key = {(t["child_id"], t["financial_year"]): t for t in totals}
    allocations = dict(PpPlusAllocation.objects.filter(local_authority_id=user.local_authority_id)
                       .values_list("financial_year", "amount_per_child"))
    result = []
    for r in waiting:
        t = by_key.get((r.child_id, r.financial_year), {})
        ledger = Ledger(financial_year=r.financial_year, allocation=allocations.get(r.financial_year),
                        requested=t.get("requested", ZERO), waiting=t.get("waiting", ZERO),
                        approved=t.get("approved", ZERO), payable=t.get("payable_total", ZERO))
        result.append((r, ledger))
    return result


def requests_for_export(local_authority: LocalAuthority, financial_year: str) -> list[PpPlusRequest]:
    return list(PpPlusRequest.objects.filter(child__local_authority=local_authority, financial_year=financial_year)
                .select_related("child", "pep", "pep__school").order_by("child__la_reference", "requested_at", "pk"))


def export_years_for(local_authority: LocalAuthority) -> list[str]:
    years = set(PpPlusRequest.objects.filter(child__local_authority=local_authority)
                .values_list("financial_year", flat=True).distinct())
    years.add(current_financial_year())
    return sorted(years, reverse=True)


def pep_targets(pep: Pep) -> list[Target]:
    """The PEP's targets, academic first (English, maths, science lead), then by when."""
    targets = list(Target.objects.filter(pep=pep).select_related("responsible_user", "carried_from"))
    return sorted(targets, key=lambda t: (AREA_ORDER.get(t.area, 99), t.by_when, t.pk))


def pep_reviews(pep: Pep) -> list[tuple[Target, TargetReview | None]]:
    """Each of the previous PEP's targets with this PEP's review of it (None when not started)."""
    if pep.previous_id is None:
        return []
    targets = sorted(Target.objects.filter(pep_id=pep.previous_id),
                     key=lambda t: (AREA_ORDER.get(t.area, 99), t.by_when, t.pk))
    reviews = {r.target_id: r for r in TargetReview.objects.filter(pep=pep).select_related("carried_to")}
    return [(t, reviews.get(t.pk)) for t in targets]


def child_target_history(child: Child) -> list[tuple[Pep, list[Target]]]:
    """Every target the child has had, grouped by PEP, newest PEP first (two queries)."""
    targets = list(Target.objects.filter(child=child).select_related("pep").order_by("-pep__created_at", "pk"))
    groups: dict[int, tuple[Pep, list[Target]]] = {}
    for t in targets:
        groups.setdefault(t.pep_id, (t.pep, []))[1].append(t)
    return [(pep, sorted(ts, key=lambda t: (AREA_ORDER.get(t.area, 99), t.pk))) for pep, ts in groups.values()]
