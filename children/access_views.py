"""Access to children by people another LA registered: requests, and every grant on an LA's children.

A designated teacher asks for access to a named child (they learn nothing about whether such
a child exists); the child's LA decides. The child's LA also sees, and can revoke at once,
every grant any person holds on its children.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from core.forms import show_rule_errors

from . import selectors, services
from .forms import AccessDecisionForm, AccessRequestForm
from .models import AccessRequest
from .policies import (
    get_access_request_for,
    get_grant_for,
    require_access_manager,
    require_access_requester,
)


@login_required
@require_http_methods(["GET", "POST"])
def access_request_new(request: AuthenticatedRequest) -> HttpResponse:
    require_access_requester(request.user)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_request_create(requester=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            # The same answer whether or not the LA has such a child.
            messages.success(request, f"Your request has been sent to {form.cleaned_data['local_authority'].name}. "
                                      f"If they give you access, the child will appear in your list of children.")
            return redirect("children_list")
    return render(request, "children/access_request_form.html", {"form": form})


@login_required
@require_GET
def access_request_list(request: AuthenticatedRequest) -> HttpResponse:
    require_access_manager(request.user)
    requests = selectors.access_requests_to(request.user.local_authority)
    return render(request, "children/access_request_list.html", {
        "pending": list(requests.filter(status=AccessRequest.Status.PENDING)),
        "decided": list(requests.exclude(status=AccessRequest.Status.PENDING)[:50]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def access_request_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access_request = get_access_request_for(request.user, pk)
    candidates = selectors.access_request_candidates(access_request)
    decision = request.POST.get("decision")
    form = AccessDecisionForm(request.POST if decision == "approve" else None, candidates=candidates)
    if request.method == "POST" and access_request.status == AccessRequest.Status.PENDING:
        try:
            if decision == "approve" and form.is_valid():
                child = form.cleaned_data["child"]
                services.access_request_approve(actor=request.user, access_request=access_request, child=child)
                messages.success(request, f"{access_request.requester.full_name} can now see "
                                          f"{child.display_name}'s record.")
                return redirect("access_request_list")
            if decision == "decline":
                services.access_request_decline(actor=request.user, access_request=access_request)
                messages.success(request, f"The request from {access_request.requester.full_name} has been "
                                          f"declined.")
                return redirect("access_request_list")
        except ValidationError as exc:
            show_rule_errors(form, exc)
    return render(request, "children/access_request_decide.html", {
        "access_request": access_request, "form": form, "candidates": candidates})


@login_required
@require_GET
def grants_list(request: AuthenticatedRequest) -> HttpResponse:
    require_access_manager(request.user)
    la = request.user.local_authority
    rows = selectors.grants_on_children_of(la)
    return render(request, "children/grants_list.html", {
        "rows": rows, "la": la, "other_la_count": len({r.person.pk for r in rows if r.other_la})})


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = get_grant_for(request.user, pk)
    if request.method == "POST":
        services.grant_revoke(actor=request.user, grant=grant)
        messages.success(request, f"{grant.user.full_name} no longer has access to "
                                  f"{grant.content_object.display_name}'s record.")
        return redirect("grants_list")
    return render(request, "children/grant_revoke.html", {"grant": grant})
