"""Thin views of the import pages: authorise with imports.policies, write with imports.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from core.calendar import TermDatesError

from . import policies, services
from .attendance import TEMPLATE_CSV as ATTENDANCE_TEMPLATE
from .forms import AttendanceForm, GiasForm, Ssda903Form, TermDatesForm
from .models import Ssda903Import
from .readers import FileProblem
from .termdates import TEMPLATE_CSV as TERM_DATES_TEMPLATE


def _csv_download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def imports_index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    can = {"la": policies.can_import_for_la(user), "gias": policies.can_import_gias(user),
           "attendance": policies.can_upload_attendance(user)}
    if not any(can.values()):
        raise PermissionDenied
    return render(request, "imports/index.html", {"can": can})


@login_required
@require_http_methods(["GET", "POST"])
def ssda903_upload(request: AuthenticatedRequest) -> HttpResponse:
    la = policies.require_la_importer(request.user)
    form = Ssda903Form(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.ssda903_job_request(actor=request.user, la=la, header=form.cleaned_data["header"],
                                           episodes=form.cleaned_data.get("episodes"),
                                           names=form.cleaned_data.get("names"))
        return redirect("ssda903_import", pk=job.pk)
    earlier = Ssda903Import.objects.filter(local_authority=la).select_related("requested_by")[:10]
    return render(request, "imports/ssda903_upload.html", {"form": form, "earlier": earlier, "la": la})


@login_required
@require_GET
def ssda903_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = policies.get_ssda903_import_for(request.user, pk)
    result = job.result or {}
    problems = result.get("problems", [])
    return render(request, "imports/ssda903_progress.html", {
        "job": job, "refresh": job.in_progress, "result": result, "counts": result.get("counts", {}),
        "errors": [p for p in problems if not p["warning"]], "warnings": [p for p in problems if p["warning"]],
        "validation": result.get("validation", {})})


@login_required
@require_http_methods(["GET", "POST"])
def gias_upload(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_gias_importer(request.user)
    form = GiasForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.gias_import(actor=request.user, data=form.cleaned_data["file"].read(),
                                          include_closed=form.cleaned_data["include_closed"])
        except FileProblem as exc:
            form.add_error("file", str(exc))
    return render(request, "imports/gias_upload.html", {"form": form, "result": result})


@login_required
@require_http_methods(["GET", "POST"])
def attendance_upload(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_attendance_uploader(request.user)
    form = AttendanceForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        term = (form.cleaned_data["academic_year"], form.cleaned_data["term"])
        try:
            result = services.attendance_import(actor=request.user, data=form.cleaned_data["file"].read(), term=term)
        except FileProblem as exc:
            form.add_error("file", str(exc))
    return render(request, "imports/attendance_upload.html", {"form": form, "result": result})


@login_required
@require_GET
def attendance_template(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_attendance_uploader(request.user)
    return _csv_download(ATTENDANCE_TEMPLATE, "attendance-template.csv")


@login_required
@require_http_methods(["GET", "POST"])
def term_dates_upload(request: AuthenticatedRequest) -> HttpResponse:
    la = policies.require_la_importer(request.user)
    form = TermDatesForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            saved, days_off = services.term_dates_file_import(actor=request.user, local_authority=la,
                                                              data=upload.read(), filename=upload.name)
        except TermDatesError as exc:
            problems = [{"line": line, "message": message} for line, message in exc.errors]
        else:
            days = sum(len(span.days()) for span in days_off)
            messages.success(request, f"{len(saved)} terms and {days} INSET or closure days loaded.")
            return redirect("imports_term_dates")
    return render(request, "imports/term_dates_upload.html", {"form": form, "problems": problems, "la": la})


@login_required
@require_GET
def term_dates_template(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_la_importer(request.user)
    return _csv_download(TERM_DATES_TEMPLATE, "term-dates-template.csv")
