"""Thin views of the data-protection pages: authorise with children.policies (rights over
one child) and data_protection.policies (the retention list), write with
data_protection.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from children.policies import Action, get_child_for
from core.forms import show_rule_errors
from core.jobs import job_file_response
from peps.models import SupportingDocument

from . import services
from .forms import RetentionDestroyForm, SubjectAccessForm
from .models import RetentionReview, SubjectAccessExport
from .policies import require_retention_admin

# --------------------------------------------------------------------------------------
# Subject-access export (the Virtual School of the child's LA)
# --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.EXPORT_SUBJECT_ACCESS).child
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.subject_access_request(actor=request.user, child=child,
                                                  reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            return redirect("subject_access_export", pk=job.pk)
    earlier = SubjectAccessExport.objects.filter(child=child).select_related("requested_by")[:10]
    return render(request, "data_protection/subject_access_new.html",
                  {"child": child, "form": form, "earlier": earlier})


def _job_for(request: HttpRequest, pk: int) -> SubjectAccessExport:
    """The job, if the person may export its child's record: 404 outside, 403 without the right."""
    job = SubjectAccessExport.objects.filter(pk=pk).first()
    if job is None:
        raise Http404("No such export")
    job.child = get_child_for(request.user, job.child_id, Action.EXPORT_SUBJECT_ACCESS).child
    return job


@login_required
@require_GET
def subject_access_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "data_protection/subject_access_progress.html",
                  {"job": job, "child": job.child, "refresh": job.in_progress})


@login_required
@require_GET
def subject_access_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    job = _job_for(request, pk)
    job.require_ready()
    services.subject_access_downloaded(actor=request.user, job=job)
    return job_file_response(job, services.subject_access_file_name(job))


# --------------------------------------------------------------------------------------
# Retention (LA admins)
# --------------------------------------------------------------------------------------


@login_required
@require_GET
def retention_list(request: AuthenticatedRequest) -> HttpResponse:
    require_retention_admin(request.user)
    today = timezone.localdate()
    la_id = request.user.local_authority_id
    rows = [{"child": c, "age": services.age_on(c, today)} for c in services.past_destroy_after(la_id, today)]
    last_run = RetentionReview.objects.filter(local_authority_id=la_id).first()
    return render(request, "data_protection/retention_list.html",
                  {"rows": rows, "today": today, "last_run": last_run})


@login_required
@require_http_methods(["GET", "POST"])
def retention_destroy(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.DESTROY_RECORD).child
    today = timezone.localdate()
    form = RetentionDestroyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = child.la_reference
        try:
            services.retention_destroy(actor=request.user, child=child, confirm=form.cleaned_data["confirm"],
                                       today=today)
        except ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            messages.success(request, f"The record with LA reference {reference} has been destroyed")
            return redirect("retention_list")
    return render(request, "data_protection/retention_destroy.html", {
        "child": child, "form": form, "today": today, "past_date": child.destroy_after < today,
        "age": services.age_on(child, today),
        "counts": {"peps": child.peps.count(),
                   "documents": SupportingDocument.objects.filter(pep__child=child).count()},
    })
