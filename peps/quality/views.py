"""Thin views: authorise with the policies, read with selectors, write with services."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from epep.jobs import job_file_response
from peps.models import Pep
from peps.policies import PepAction, get_pep_for

from . import integrations, selectors, services
from .forms import CriterionForm, ExportForm, QaReviewForm, TermForm
from .models import ExportJob, QaCriterion
from .terms import TermRef


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
def qa_review(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.QA)
    pep = access.pep
    criteria = services.active_criteria(pep.child.local_authority)
    form = QaReviewForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.qa_review_record(
                actor=request.user, pep=pep, ratings=form.rating_inputs(),
                decision=form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for key, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(key if key in form.fields else None, errors)
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
def pep_quality(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.VIEW)
    return render(request, "quality/pep_quality.html", {
        "pep": access.pep, "child": access.pep.child, "access": access,
        "can_qa": access.can(PepAction.QA), "can_download": access.can(PepAction.DOWNLOAD),
    })


@login_required
@require_GET
def pep_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.DOWNLOAD)
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


def _require_la_admin(request: HttpRequest):
    user = request.user
    if user.role != Role.LA_ADMIN or user.local_authority_id is None:
        raise PermissionDenied
    return user.local_authority


@login_required
@require_GET
def criteria_list(request: HttpRequest) -> HttpResponse:
    la = _require_la_admin(request)
    services.qa_criteria_seed_defaults(la=la, actor=request.user)
    return render(request, "quality/criteria_list.html", {
        "la": la, "criteria": QaCriterion.objects.filter(local_authority=la).order_by("order", "pk"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
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


def _require_dashboard(request: HttpRequest) -> None:
    if not selectors.may_see_dashboard(request.user):
        raise PermissionDenied


def _chosen_term(request: HttpRequest) -> tuple[TermForm, TermRef]:
    today = timezone.localdate()
    form = TermForm(request.GET or None, today=today)
    term = form.term_ref() if form.is_bound and form.is_valid() else TermRef.containing(today)
    return form, term


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_dashboard(request)
    form, term = _chosen_term(request)
    # The figures (everything below the term chooser) are rendered once per version of the
    # data and kept with the computed dashboard (selectors.dashboard_cached).
    key = selectors.dashboard_key(request.user, term)
    figures_key = f"{key}:html:{request.user.role}"
    figures = cache.get(figures_key)
    if figures is None:
        # Computed, not fetched from or stored in the cache: the page needs only the
        # rendered figures, and storing the whole board (a row per child) would cost more
        # than the figures take to render. The lists behind the figures cache it.
        board = selectors.dashboard_for(request.user, term, selectors.key_day(key))
        figures = render_to_string("quality/includes/dashboard_figures.html", {
            "board": board, "user": request.user,
            "term_figures": [(k, label) for k, (label, _p) in selectors.FIGURES.items()
                             if not k.startswith(("rag_", "pp_"))],
            "rag_figures": [(k, k[4:], label) for k, (label, _p) in selectors.FIGURES.items() if k.startswith("rag_")],
            "breakdown_figures": [(f, selectors.FIGURES[f][0]) for f in selectors.BREAKDOWN_FIGURES],
            "chart": _chart_geometry(board.chart),
            "breakdown_tables": _breakdown_tables(board),
            "pp_rows": _pp_rows(board.pp_plus),
        })
        cache.set(figures_key, figures, selectors.DASHBOARD_CACHE_SECONDS)
    return render(request, "quality/dashboard.html", {
        "form": form, "term": term, "figures": figures, "title": selectors.dashboard_title(request.user),
    })


def _pp_rows(pp) -> list[tuple[str, object, str]]:
    """(label, amount, the figure whose list of children is behind it)."""
    return [("Allocated", pp.allocated, "pp_all"), ("Requested", pp.requested, "pp_requested"),
            ("Approved", pp.approved, "pp_approved"), ("Released (approved PEPs)", pp.released, "pp_released"),
            ("Remaining", pp.remaining, "pp_all")]


def _lower_first(text: str) -> str:
    """"Children needing a PEP" → "children needing a PEP" (str.lower would say "pep")."""
    return text[:1].lower() + text[1:]


def _breakdown_tables(board) -> list[dict]:
    """The breakdown tables' rows, built in Python with format_html (which escapes every value).

    At LA scale these are hundreds of rows of links (150 schools, 60 social workers...);
    the template engine took most of the page's time rendering them cell by cell, so each
    row is one format_html call over a row template built once.
    """
    link = ('<td class="govuk-table__cell govuk-table__cell--numeric"><a class="govuk-link" '
            'href="{base}?figure={key}&amp;group={{group}}&amp;term={{term}}">{{{key}}}'
            '<span class="govuk-visually-hidden"> {label}, {{label}}</span></a></td>')
    percent = '<td class="govuk-table__cell govuk-table__cell--numeric">{percent}</td>'
    cells = []
    for key in selectors.BREAKDOWN_FIGURES:
        # The row template's fixed parts are escaped here; {group}, {term}, {label} and the
        # counts are filled in (and escaped) by format_html.
        cells.append(link.format(base=escape(reverse("quality_dashboard_children")), key=key,
                                 label=escape(_lower_first(selectors.FIGURES[key][0]))))
        if key == "held":
            cells.append(percent)
    row_template = ('<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{label}</th>'
                    + "".join(cells) + "</tr>")
    term = board.term.key
    tables = []
    for by, by_label in selectors.BREAKDOWNS.items():
        rows = format_html_join("\n", row_template, (
            {"label": row.label, "group": row.key, "term": term,
             "percent": f"{row.percent}%" if row.percent is not None else "–", **row.counts}
            for row in board.breakdowns[by]))
        tables.append({"by": by, "label": by_label, "rows": rows})
    return tables


def _chart_geometry(points) -> dict:
    """Bars for the SVG: x, y, height in user units; the template writes them as attributes."""
    left, top, width, height = 40, 10, 520, 200
    bar = width / max(len(points), 1)
    bars = []
    for i, point in enumerate(points):
        h = round(height * point.percent / 100, 1)
        bars.append({"point": point, "x": round(left + i * bar + bar * 0.2, 1), "y": round(top + height - h, 1),
                     "width": round(bar * 0.6, 1), "height": h, "label_x": round(left + i * bar + bar / 2, 1),
                     "value_y": round(top + height - h - 4, 1)})
    gridlines = [{"value": v, "y": round(top + height - height * v / 100, 1)} for v in (0, 25, 50, 75, 100)]
    return {"bars": bars, "gridlines": gridlines, "left": left, "right": left + width, "base": top + height,
            "label_y": top + height + 18}


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
def dashboard_children(request: HttpRequest) -> HttpResponse:
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


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_GET
def dashboard_children_csv(request: HttpRequest) -> HttpResponse:
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
        writer.writerow([_csv_safe(str(cell)) for cell in row])
    return response


# --------------------------------------------------------------------------------------
# Term exports (Virtual School)
# --------------------------------------------------------------------------------------


def _require_vs(request: HttpRequest) -> None:
    if request.user.role != Role.VIRTUAL_SCHOOL or request.user.local_authority_id is None:
        raise PermissionDenied


def _job_for(request: HttpRequest, pk: int) -> ExportJob:
    _require_vs(request)
    return get_object_or_404(ExportJob, pk=pk, la_id=request.user.local_authority_id)


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    _require_vs(request)
    today = timezone.localdate()
    form = ExportForm(request.POST or None, today=today,
                      initial={"term": TermRef.containing(today).previous().key})
    if request.method == "POST" and form.is_valid():
        term = form.term_ref()
        job = services.export_job_request(actor=request.user, academic_year=term.academic_year, term=term.term)
        return redirect("quality_export", pk=job.pk)
    jobs = ExportJob.objects.filter(la_id=request.user.local_authority_id).select_related("requested_by")[:20]
    return render(request, "quality/exports.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "quality/export_progress.html", {"job": job, "refresh": job.in_progress})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    job.require_ready()
    services.export_job_downloaded(actor=request.user, job=job)
    return job_file_response(job, f"PEPs-{job.academic_year.replace('/', '-')}-{job.term}.zip")
