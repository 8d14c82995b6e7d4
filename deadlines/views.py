"""Thin views: authorise through a policy, call a service or selector, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from children.policies import Action, get_child_for
from core.calendar import TermDatesError

from . import selectors, services
from .engine import Status
from .forms import ConcernRequestForm, DeadlineSettingsForm, TermDatesForm, TermDatesUploadForm
from .policies import get_term_dates_for, require_calendar_manager


def _posted(request: HttpRequest):
    """Bind a form on any POST, even an empty one, so that it shows its errors."""
    return request.POST if request.method == "POST" else None


STATUS_FILTERS = {"": "All", "needs_action": "Overdue or due soon", **Status.LABELS}


@login_required
@require_GET
def deadlines_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.deadlines_for_user(request.user)
    chosen = request.GET.get("status", "")
    if chosen not in STATUS_FILTERS:
        chosen = ""
    if chosen == "needs_action":
        rows = [d for d in rows if d.needs_action]
    elif chosen:
        rows = [d for d in rows if d.status == chosen]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "timeliness/deadlines_list.html",
                  {"page": page, "filters": STATUS_FILTERS, "chosen": chosen})


@login_required
@require_GET
def term_dates(request: AuthenticatedRequest) -> HttpResponse:
    la = require_calendar_manager(request.user)
    return render(request, "timeliness/term_dates.html", {
        "la": la, "terms": selectors.term_dates_for(la), "settings": selectors.deadline_settings_for(la),
    })


@login_required
@require_http_methods(["GET", "POST"])
def term_dates_upload(request: AuthenticatedRequest) -> HttpResponse:
    la = require_calendar_manager(request.user)
    form = TermDatesUploadForm(_posted(request), request.FILES if request.method == "POST" else None)
    problems: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.term_dates_import(actor=request.user, local_authority=la, text=form.cleaned_data["file"])
        except TermDatesError as exc:
            problems = exc.errors
        else:
            messages.success(request, f"{len(saved)} terms have been loaded.")
            return redirect("term_dates")
    return render(request, "timeliness/term_dates_upload.html", {"form": form, "problems": problems})


def _term_form(request: AuthenticatedRequest, row) -> HttpResponse:
    la = require_calendar_manager(request.user)
    form = TermDatesForm(_posted(request), instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_dates_save(actor=request.user, local_authority=la, term_dates=row, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "The term dates have been saved.")
            return redirect("term_dates")
    return render(request, "timeliness/term_dates_form.html", {"form": form, "row": row})


@login_required
@require_http_methods(["GET", "POST"])
def term_dates_add(request: AuthenticatedRequest) -> HttpResponse:
    return _term_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def term_dates_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Fetch through the policy before anything else: another LA's term is a 404.
    return _term_form(request, get_term_dates_for(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def deadline_settings(request: AuthenticatedRequest) -> HttpResponse:
    la = require_calendar_manager(request.user)
    form = DeadlineSettingsForm(_posted(request), instance=selectors.deadline_settings_for(la))
    if request.method == "POST" and form.is_valid():
        services.deadline_settings_update(actor=request.user, local_authority=la, **form.cleaned_data)
        messages.success(request, "The deadline settings have been saved.")
        return redirect("term_dates")
    return render(request, "timeliness/deadline_settings.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def concern_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_child_for(request.user, pk, Action.REQUEST_CONCERN_REVIEW)
    form = ConcernRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.concern_request_create(actor=request.user, child=access.child, reason=form.cleaned_data["reason"])
        messages.success(request, "The concern review has been asked for. The PEP meeting is due within "
                                  "10 working days.")
        return redirect("child_detail", pk=access.child.pk)
    return render(request, "timeliness/concern_request.html", {"form": form, "child": access.child})
