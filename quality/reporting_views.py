"""Virtual School reporting pages: the figures, each figure's children, CSV and a printable page."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from core.calendar import academic_year_start
from core.spreadsheets import spreadsheet_safe
from core.text import lower_first as text_lower_first

from . import reporting, services, warm
from .forms import ReportingForm


def _require_reporting(request: AuthenticatedRequest) -> None:
    if not reporting.may_see_reporting(request.user):
        raise PermissionDenied


def _chosen(request: AuthenticatedRequest) -> tuple[ReportingForm, int, dict[str, str]]:
    """The form, the academic year and the filters; unbound or invalid → this year, no filters."""
    today = timezone.localdate()
    form = ReportingForm(request.GET or None, today=today, choices=reporting.filter_choices(request.user))
    if form.is_bound and form.is_valid():
        return form, form.start_year(), form.filters()
    return form, academic_year_start(today), {}


def _query(start: int, filters: dict[str, str], **extra: str) -> str:
    return urlencode({"year": str(start), **filters, **extra})


def _table_rows(report: reporting.Summary, lines: list[reporting.Line], filters: dict[str, str],
                *, links: bool) -> SafeString:
    """The figures table's body, built with format_html (which escapes every value): the
    template engine spent more time on its ~150 cells than the figures took to compute."""
    list_url = reverse("quality_reporting_children")
    queries = [_query(y.start, filters) for y in report.years]
    width = len(report.years) + 1
    out, section = [], None
    for line in lines:
        if line.section != section:
            section = line.section
            out.append(format_html('<tr class="govuk-table__row"><th scope="colgroup" colspan="{}" '
                                   'class="govuk-table__header reporting-section">{}</th></tr>', width, section))
        cells = []
        lower_first = text_lower_first(line.label)
        for y, query, value in zip(report.years, queries, line.values, strict=True):
            if links and line.figure:
                cells.append(format_html(
                    '<td class="govuk-table__cell govuk-table__cell--numeric"><a class="govuk-link" '
                    'href="{}?{}&amp;figure={}">{}<span class="govuk-visually-hidden"> – {}, {}: see the children'
                    "</span></a></td>", list_url, query, line.figure, value, lower_first, y.label))
            else:
                cells.append(format_html('<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>', value))
        out.append(format_html('<tr class="govuk-table__row"><th scope="row" class="govuk-table__header '
                               'reporting-label">{}</th>{}</tr>', line.label,
                               format_html_join("", "{}", ((cell,) for cell in cells))))
    # Every part was made by format_html, so joining them escapes nothing twice.
    return format_html_join("\n", "{}", ((row,) for row in out))


def _context(request: AuthenticatedRequest, *, links: bool = True) -> dict:
    form, start, filters = _chosen(request)
    summary = reporting.summary_cached(request.user, start, filters)
    return {"form": form, "report": summary, "rows": _table_rows(summary, summary.lines, filters, links=links),
            "chart": summary.chart, "query": _query(start, filters), "la": request.user.local_authority}


@login_required
@require_GET
def reporting_page(request: AuthenticatedRequest) -> HttpResponse:
    _require_reporting(request)
    context = _context(request)
    warm.reporting_viewed(request.user, context["report"].year.start, context["report"].filters)
    return render(request, "quality/reporting.html", context)


@login_required
@require_GET
def reporting_print(request: AuthenticatedRequest) -> HttpResponse:
    _require_reporting(request)
    return render(request, "quality/reporting_print.html", _context(request, links=False))


@login_required
@require_GET
def reporting_csv(request: AuthenticatedRequest) -> HttpResponse:
    _require_reporting(request)
    _form, start, filters = _chosen(request)
    summary = reporting.summary_cached(request.user, start, filters)
    services.reporting_exported(actor=request.user, what="figures", academic_year=summary.year.label,
                                filters=filters, count=summary.cohort)
    return _csv_response(reporting.csv_rows(summary), f"reporting-{start}.csv")


def _figure(request: AuthenticatedRequest):
    figure = request.GET.get("figure", "")
    if figure not in reporting.FIGURES:
        raise Http404("No such figure")
    _form, start, filters = _chosen(request)
    summary, rows = reporting.children_cached(request.user, start, filters, figure)
    return figure, start, filters, summary, rows


@login_required
@require_GET
def reporting_children(request: AuthenticatedRequest) -> HttpResponse:
    _require_reporting(request)
    figure, start, filters, summary, rows = _figure(request)
    return render(request, "quality/reporting_children.html", {
        "figure": figure, "figure_label": reporting.FIGURES[figure][1], "report": summary,
        "rows": rows, "query": _query(start, filters), "csv_query": _query(start, filters, figure=figure),
    })


@login_required
@require_GET
def reporting_children_csv(request: AuthenticatedRequest) -> HttpResponse:
    _require_reporting(request)
    figure, start, filters, summary, rows = _figure(request)
    services.reporting_exported(actor=request.user, what=figure, academic_year=summary.year.label,
                                filters=filters, count=len(rows))
    return _csv_response(reporting.child_csv_rows(rows), f"reporting-{figure}-{start}.csv")


def _csv_response(rows: list[list[str]], name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
    return response


@login_required
@require_GET
def reporting_pdf(request: AuthenticatedRequest) -> HttpResponse:
    """The printable page as a PDF (WeasyPrint), for the annual report's appendix."""
    from django.template.loader import render_to_string

    from core.pdf import render_pdf

    _require_reporting(request)
    context = {**_context(request, links=False), "for_pdf": True}  # pdf.css prints the marking on every page
    html = render_to_string("quality/reporting_print.html", context, request=request)
    data = render_pdf(html, title=f"Virtual School reporting – {context['report'].year.label}")
    services.reporting_exported(actor=request.user, what="pdf", academic_year=context["report"].year.label,
                                filters=context["report"].filters, count=context["report"].cohort)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="reporting-{context["report"].year.start}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
