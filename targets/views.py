"""Thin views over targets and PP+: authorise (targets.policies / peps.policies), call a
service, redirect. A rule the service refuses is shown against the form's field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from children.services import child_record_viewed
from core.forms import form_service_call, show_rule_errors
from core.refusals import Refused
from peps.policies import PepAction, get_pep_for
from peps.young_person import asks_of

from . import selectors, services
from .forms import AllocationForm, DecisionForm, ExportForm, PpPlusRequestForm, ReviewForm, TargetForm
from .models import PpPlusAllocation, PpPlusRequest, Target
from .policies import (
    get_child_for_pp_plus,
    get_pp_plus_request_for,
    get_target_for,
    require_allocation_manager,
    require_virtual_school,
)


def _context(access, **extra) -> dict:
    return {"pep": access.pep, "child": access.pep.child, "pep_access": access, **extra}


def _target_fields(form: TargetForm) -> dict:
    return {name: form.cleaned_data.get(name) for name in services.EDITABLE_FIELDS if name in form.fields}


@login_required
@require_GET
def pep_targets(request: AuthenticatedRequest, pep_pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pep_pk, PepAction.VIEW)
    child_record_viewed(actor=request.user, child=access.pep.child, what=f"targets:{access.pep.pk}")
    return render(request, "targets/pep_targets_page.html", _context(access))


@login_required
@require_http_methods(["GET", "POST"])
def target_add(request: AuthenticatedRequest, pep_pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pep_pk, PepAction.MANAGE_TARGETS)
    form = TargetForm(request.POST or None, asks=asks_of(access.pep), pep=access.pep)
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.target_add(actor=request.user, pep=access.pep, **_target_fields(form)),
            success="The target has been added.",
            done=reverse("pep_targets", kwargs={"pep_pk": access.pep.pk}))
        if response:
            return response
    return render(request, "targets/target_form.html", _context(access, form=form, target=None))


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, target = get_target_for(request.user, pk, PepAction.MANAGE_TARGETS)
    initial = {name: getattr(target, name) for name in services.EDITABLE_FIELDS}
    form = TargetForm(request.POST or None, initial=initial, asks=asks_of(access.pep), pep=access.pep)
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.target_update(actor=request.user, target=target, **_target_fields(form)),
            success="The target has been changed.",
            done=reverse("pep_targets", kwargs={"pep_pk": access.pep.pk}))
        if response:
            return response
    return render(request, "targets/target_form.html", _context(access, form=form, target=target))


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, target = get_target_for(request.user, pk, PepAction.MANAGE_TARGETS)
    if request.method == "POST":
        try:
            services.target_delete(actor=request.user, target=target)
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The target has been deleted.")
        return redirect("pep_targets", pep_pk=access.pep.pk)
    return render(request, "targets/target_delete.html", _context(access, target=target))


@login_required
@require_http_methods(["GET", "POST"])
def target_review(request: AuthenticatedRequest, pep_pk: int, target_pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pep_pk, PepAction.REVIEW_TARGETS)
    pep = access.pep
    target = Target.objects.filter(pk=target_pk, pep_id=pep.previous_id).first() if pep.previous_id else None
    if target is None:
        raise Http404("No such target to review")
    review = target.reviews.filter(pep=pep).select_related("carried_to").first()
    initial: dict[str, object] = {"outcome": review.outcome, "comment": review.comment} if review else {}
    if review and review.carried_to:
        initial["new_by_when"] = review.carried_to.by_when
    form = ReviewForm(request.POST or None, initial=initial, pep=pep, carried=bool(review and review.carried_to))
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.target_review(actor=request.user, pep=pep, target=target,
                                           outcome=form.cleaned_data["outcome"], comment=form.cleaned_data["comment"],
                                           new_by_when=form.cleaned_data.get("new_by_when")),
            success="The review of the target has been saved.",
            done=reverse("pep_targets", kwargs={"pep_pk": pep.pk}))
        if response:
            return response
    return render(request, "targets/target_review.html", _context(access, form=form, target=target, review=review))


@login_required
@require_http_methods(["GET", "POST"])
def pp_plus_request_new(request: AuthenticatedRequest, pep_pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pep_pk, PepAction.REQUEST_PP_PLUS)
    pep = access.pep
    targets = Target.objects.filter(pep=pep).order_by("pk")
    initial = {}
    chosen = request.GET.get("target")
    if chosen and chosen.isdigit():
        target = targets.filter(pk=int(chosen)).first()
        if target is not None:
            initial = {"target": target.pk, "amount": target.pp_plus_requested}
    form = PpPlusRequestForm(request.POST or None, targets=targets, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = form_service_call(
            request, form,
            lambda: services.pp_plus_request(actor=request.user, pep=pep, amount=data["amount"],
                                             what_it_buys=data["what_it_buys"], category=data["category"],
                                             target=data["target"],
                                             over_allocation_reason=data.get("over_allocation_reason") or ""),
            success="The Pupil Premium Plus request has been sent to the Virtual School.",
            done=reverse("pep_targets", kwargs={"pep_pk": pep.pk}))
        if response:
            return response
    return render(request, "targets/pp_plus_request.html", _context(
        access, form=form, ledger=selectors.ledger_for(pep.child, selectors.current_financial_year())))


@login_required
@require_http_methods(["GET", "POST"])
def pp_plus_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, pp_request = get_pp_plus_request_for(request.user, pk, PepAction.VIEW)
    if pp_request.requested_by_id != request.user.pk or pp_request.status != PpPlusRequest.Status.REQUESTED:
        raise PermissionDenied
    done = reverse("pep_targets", kwargs={"pep_pk": access.pep.pk})
    if request.method == "POST":
        try:
            services.pp_plus_withdraw(actor=request.user, request=pp_request)
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The Pupil Premium Plus request has been withdrawn.")
        return redirect(done)
    return render(request, "targets/pp_plus_withdraw.html", _context(access, pp_request=pp_request, done=done))


@login_required
@require_http_methods(["GET", "POST"])
def pp_plus_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, pp_request = get_pp_plus_request_for(request.user, pk, PepAction.DECIDE_PP_PLUS)
    ledger = selectors.ledger_for(pp_request.child, pp_request.financial_year)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if pp_request.status != PpPlusRequest.Status.REQUESTED:
            messages.error(request, "This request has already been decided.")
            return redirect("pp_plus_decide", pk=pp_request.pk)
        if form.is_valid():
            data = form.cleaned_data
            response = form_service_call(
                request, form,
                lambda: services.pp_plus_decide(actor=request.user, request=pp_request, decision=data["decision"],
                                                approved_amount=data.get("approved_amount"),
                                                reason=data.get("reason", "")),
                success="Your decision has been saved.",
                done=reverse("pp_plus_ledger", kwargs={"child_pk": pp_request.child_id}),
                refused_to=reverse("pp_plus_decide", kwargs={"pk": pp_request.pk}))
            if response:
                return response
    return render(request, "targets/pp_plus_decide.html", _context(
        access, form=form, pp_request=pp_request, ledger=ledger,
        would_overspend=pp_request.status == PpPlusRequest.Status.REQUESTED and ledger.would_overspend(pp_request)))


@login_required
@require_GET
def pp_plus_ledger(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    child = get_child_for_pp_plus(request.user, child_pk)
    child_record_viewed(actor=request.user, child=child, what="pp_plus_ledger")
    years = selectors.financial_years_for(child)
    year = request.GET.get("year") or selectors.current_financial_year()
    if year not in years:
        year = selectors.current_financial_year()
    ledger = selectors.ledger_for(child, year)
    return render(request, "targets/pp_plus_ledger.html", {
        "child": child, "ledger": ledger, "years": years, "year": year,
        "flagged": {r.pk for r in ledger.requests if r.status == PpPlusRequest.Status.REQUESTED
                    and ledger.would_overspend(r)},
    })


@login_required
@require_GET
def pp_plus_queue(request: AuthenticatedRequest) -> HttpResponse:
    la = require_virtual_school(request.user)
    rows = [(r, ledger, ledger.would_overspend(r)) for r, ledger in selectors.waiting_requests_for(request.user)]
    return render(request, "targets/pp_plus_queue.html", {"la": la, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def pp_plus_allocations(request: AuthenticatedRequest) -> HttpResponse:
    la = require_allocation_manager(request.user)
    current = selectors.current_financial_year()
    form = AllocationForm(request.POST or None, initial={"financial_year": current})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.pp_plus_allocation_set(actor=request.user, local_authority=la,
                                                  financial_year=form.cleaned_data["financial_year"],
                                                  amount_per_child=form.cleaned_data["amount_per_child"])
        except ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            messages.success(request, f"The PP+ allocation for {row.financial_year} has been saved.")
            return redirect("pp_plus_allocations")
    return render(request, "targets/pp_plus_allocations.html", {
        "la": la, "form": form, "current": current,
        "allocations": PpPlusAllocation.objects.filter(local_authority=la).order_by("-financial_year"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def pp_plus_export(request: AuthenticatedRequest) -> HttpResponse:
    la = require_virtual_school(request.user)
    form = ExportForm(request.POST or None, years=selectors.export_years_for(la),
                      initial={"financial_year": selectors.current_financial_year()})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["financial_year"]
        body = services.pp_plus_export_csv(actor=request.user, local_authority=la, financial_year=year)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pp-plus-{la.code}-{year}.csv"'
        return response
    return render(request, "targets/pp_plus_export.html", {"la": la, "form": form})
