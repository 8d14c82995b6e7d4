"""Thin views: authorise with the policies, read with selectors, write with services."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from core.calendar import TermRef
from core.jobs import job_file_response
from core.refusals import Refused, show_refusal
from core.roles import Role
from core.spreadsheets import spreadsheet_safe
from peps.models import Pep
from peps.policies import PepAction, get_pep_for

from . import integrations, selectors, services, warm
from .figures import dashboard_figures
from .forms import CriterionForm, ExportForm, QaReviewForm, TermForm
from .models import ExportJob, QaCriterion, QaReview


def pep_page_url(pep: Pep) -> str:
    """The PEP's own page (peps app) when it exists, else this app's QA page for it."""
    for name in ("pep_detail", "peps:pep_detail"):
        try:
            return reverse(name, kwargs={"pk": pep.pk})
        except NoReverseMatch:
            continue
    return reverse("pep_quality", kwargs={"pk": pep.pk})


# --------------------------------------------------------------------------------------
# Quality assurance of one PEP
# --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def qa_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not get_pep_for(request.user, pk, PepAction.VIEW).is_professional:
        # Quality assurance is for professionals: for the family this page does not exist.
        raise Http404("No such page")
    access = get_pep_for(request.user, pk, PepAction.QA)
    pep = access.pep
    criteria = services.active_criteria(pep.child.local_authority)
    form = QaReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid() and request.POST.get("edit") != "yes":
        # Approval locks the PEP and stores its PDF: check your answers first (GOV.UK pattern).
        # "Change your answers" posts back here with edit=yes and gets the form, filled in.
        if form.cleaned_data["decision"] == QaReview.Decision.APPROVED and request.POST.get("confirm") != "approve":
            rated = {c.pk: c for c in criteria}
            return render(request, "quality/qa_check.html", {
                "pep": pep, "child": pep.child, "form": form,
                "answers": [(rated[r.criterion_id].text, r.rating, r.comment) for r in form.rating_inputs()],
                "posted": [(k, v) for k, values in request.POST.lists()
                           if k not in ("csrfmiddlewaretoken", "edit", "confirm") for v in values],
            })
        try:
            review = services.qa_review_record(
                actor=request.user, pep=pep, ratings=form.rating_inputs(),
                decision=form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for key, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(key if key in form.fields else None, errors)
        except Refused as exc:
            # The PEP's workflow refused (someone else returned or approved it first).
            return show_refusal(request, exc, pep_page_url(pep))
        else:
            if review.decision == review.Decision.RETURNED:
                messages.success(request, f"The PEP was rated {review.overall} and returned to the team.")
            else:
                messages.success(request, f"The PEP was rated {review.overall} and approved.")
            return redirect(pep_page_url(pep))
    sections = [(s, integrations.section_rows(pep, s, professional=True))
                for s in pep.sections.all().order_by("letter")]
    return render(request, "quality/qa_review.html", {
        "pep": pep, "child": pep.child, "form": form, "sections": sections,
        "extras": integrations.pep_extras(pep), "history": selectors.qa_history(pep),
    })


@login_required
@require_GET
def pep_quality(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.VIEW)
    if not access.is_professional:
        # Quality assurance is for professionals: for the family this page does not exist.
        raise Http404("No such page")
    return render(request, "quality/pep_quality.html", {
        "pep": access.pep, "child": access.pep.child, "access": access,
        "can_qa": access.can(PepAction.QA), "can_download": access.can(PepAction.DOWNLOAD),
    })


@login_required
@require_GET
def pep_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.DOWNLOAD)
    if not services.pdf_download_allowed(user=request.user):
        return render(request, "quality/pdf_too_many.html", {"pep": access.pep,
                                                             "limit": services.PDF_DOWNLOADS_PER_MINUTE},
                      status=429)
    data = services.pep_pdf_download(actor=request.user, pep=access.pep,
                                     show_pp_plus=access.can(PepAction.VIEW_PP_PLUS_AMOUNTS),
                                     professional=access.is_professional)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.safe_file_name(access.pep)}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------
# Criteria (LA admins)
# --------------------------------------------------------------------------------------


def _require_la_admin(request: AuthenticatedRequest):
    user = request.user
    if user.role != Role.LA_ADMIN or user.local_authority_id is None:
        raise PermissionDenied
    return user.local_authority


@login_required
@require_GET
def criteria_list(request: AuthenticatedRequest) -> HttpResponse:
    la = _require_la_admin(request)
    services.qa_criteria_seed_defaults(la=la, actor=request.user)
    return render(request, "quality/criteria_list.html", {
        "la": la, "criteria": QaCriterion.objects.filter(local_authority=la).order_by("order", "pk"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    la = _require_la_admin(request)
    criterion = get_object_or_404(QaCriterion, pk=pk, local_authority=la) if pk else None
    initial = {} if criterion else {"order": (QaCriterion.objects.filter(local_authority=la).count() + 1) * 10,
                                     "active": True}
    form = CriterionForm(request.POST or None, instance=criterion, la=la, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.qa_criterion_save(actor=request.user, la=la, criterion=criterion,
                                       code=form.cleaned_data["code"], text=form.cleaned_data["text"],
                                       order=form.cleaned_data["order"], active=form.cleaned_data["active"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The criterion has been saved.")
            return redirect("qa_criteria_list")
    return render(request, "quality/criterion_form.html", {"form": form, "criterion": criterion})


# --------------------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------------------


def _require_dashboard(request: AuthenticatedRequest) -> None:
    if not selectors.may_see_dashboard(request.user):
        raise PermissionDenied


def _chosen_term(request: AuthenticatedRequest) -> tuple[TermForm, TermRef]:
    today = timezone.localdate()
    calendar = selectors.term_calendar(request.user)
    form = TermForm(request.GET or None, today=today, calendar=calendar)
    term = form.term_ref() if form.is_bound and form.is_valid() else TermRef.containing(today, calendar)
    return form, term


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    _require_dashboard(request)
    form, term = _chosen_term(request)
    figures = dashboard_figures(request.user, term)
    warm.dashboard_viewed(request.user, term)
    return render(request, "quality/dashboard.html", {
        "form": form, "term": term, "figures": figures, "title": selectors.dashboard_title(request.user),
    })


def _figure_and_group(request: HttpRequest) -> tuple[str, str]:
    figure = request.GET.get("figure", "")
    if figure not in selectors.FIGURES:
        raise Http404("No such figure")
    group = request.GET.get("group", "")
    if group and group.partition(":")[0] not in selectors.BREAKDOWNS:
        raise Http404("No such group")
    return figure, group


@login_required
@require_GET
def dashboard_children(request: AuthenticatedRequest) -> HttpResponse:
    _require_dashboard(request)
    figure, group = _figure_and_group(request)
    form, term = _chosen_term(request)
    board = selectors.dashboard_cached(request.user, term)
    return render(request, "quality/dashboard_children.html", {
        "board": board, "figure": figure, "figure_label": selectors.FIGURES[figure][0], "group": group,
        "group_label": selectors.group_label(board, group), "rows": selectors.children_behind(board, figure, group),
        "pp_list": figure in selectors.PP_FIGURES,
        "title": selectors.dashboard_title(request.user),
    })


@login_required
@require_GET
def dashboard_children_csv(request: AuthenticatedRequest) -> HttpResponse:
    _require_dashboard(request)
    figure, group = _figure_and_group(request)
    _form, term = _chosen_term(request)
    board = selectors.dashboard_cached(request.user, term)
    rows = selectors.children_behind(board, figure, group)
    services.dashboard_list_exported(actor=request.user, figure=figure, group=group,
                                     academic_year=term.academic_year, term=term.term, count=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="children-{figure}-{term.key}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    for row in selectors.csv_rows(rows):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


# --------------------------------------------------------------------------------------
# Term exports (Virtual School)
# --------------------------------------------------------------------------------------


def _require_vs(request: AuthenticatedRequest) -> None:
    if request.user.role != Role.VIRTUAL_SCHOOL or request.user.local_authority_id is None:
        raise PermissionDenied


def _job_for(request: AuthenticatedRequest, pk: int) -> ExportJob:
    _require_vs(request)
    return get_object_or_404(ExportJob, pk=pk, la_id=request.user.local_authority_id)


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: AuthenticatedRequest) -> HttpResponse:
    _require_vs(request)
    today = timezone.localdate()
    calendar = selectors.term_calendar(request.user)
    form = ExportForm(request.POST or None, today=today, calendar=calendar,
                      initial={"term": TermRef.containing(today, calendar).previous().key})
    if request.method == "POST" and form.is_valid():
        term = form.term_ref()
        job = services.export_job_request(actor=request.user, academic_year=term.academic_year, term=term.term)
        return redirect("quality_export", pk=job.pk)
    jobs = ExportJob.objects.filter(la_id=request.user.local_authority_id).select_related("requested_by")[:20]
    return render(request, "quality/exports.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def export_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "quality/export_progress.html", {"job": job, "refresh": job.in_progress})


@login_required
@require_GET
def export_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    job = _job_for(request, pk)
    job.require_ready()
    services.export_job_downloaded(actor=request.user, job=job)
    return job_file_response(job, f"PEPs-{job.academic_year.replace('/', '-')}-{job.term}.zip")
