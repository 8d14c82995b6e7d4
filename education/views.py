"""Thin views over the education record: authorise (policies), read (selectors), write (services)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from children.models import SchoolPlacement
from children.services import child_record_viewed
from core.forms import show_rule_errors

from . import forms, services
from .chronology import chronology_of
from .models import (
    AlternativeProvision,
    Attainment,
    Attendance,
    EetStatus,
    Exclusion,
    EyfsProfile,
    PartTimeTimetable,
    SenStatus,
)
from .policies import Part, get_record_for
from .selectors import education_record_of


@dataclass(frozen=True)
class PartPage:
    model: type[Model]
    form: type[forms.RecordForm]
    save: Callable[..., object]
    noun: str


PARTS: dict[str, PartPage] = {
    Part.ATTENDANCE: PartPage(Attendance, forms.AttendanceForm, services.attendance_save, "attendance for a term"),
    Part.EXCLUSION: PartPage(Exclusion, forms.ExclusionForm, services.exclusion_save,
                             "a suspension or exclusion"),
    Part.PART_TIME: PartPage(PartTimeTimetable, forms.PartTimeTimetableForm, services.part_time_timetable_save,
                             "a part-time timetable"),
    Part.ALTERNATIVE_PROVISION: PartPage(AlternativeProvision, forms.AlternativeProvisionForm,
                                         services.alternative_provision_save, "alternative provision"),
    Part.SEN: PartPage(SenStatus, forms.SenStatusForm, services.sen_status_save, "an SEN status"),
    Part.ATTAINMENT: PartPage(Attainment, forms.AttainmentForm, services.attainment_save, "a result"),
    Part.EYFS_PROFILE: PartPage(EyfsProfile, forms.EyfsProfileForm, services.eyfs_profile_save,
                                "an EYFS profile"),
    Part.EET: PartPage(EetStatus, forms.EetStatusForm, services.eet_status_save,
                       "an education, employment or training status"),
}


@login_required
@require_GET
def education_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_record_for(request.user, pk)
    child_record_viewed(actor=request.user, child=access.child, what="education record")
    return render(request, "education/record.html", {
        "child": access.child, "access": access, "record": education_record_of(access.child),
        "professional": access.professional, "can": {p.replace("-", "_"): access.can_edit(p) for p in Part.ALL},
    })


def _part(part: str) -> PartPage:
    page = PARTS.get(part)
    if page is None:
        raise Http404("No such part of the record")
    return page


def _form_page(request, access, page: PartPage, instance=None):
    data = request.POST if request.method == "POST" else None
    form = page.form(data, instance=instance, child=access.child, professional=access.professional)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            page.save(actor=request.user, child=access.child, instance=instance, **fields)
        except services.ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            messages.success(request, f"The record of {page.noun} has been saved.")
            return redirect("education_record", pk=access.child.pk)
    verb = "Change" if instance else "Add"
    return render(request, "education/part_form.html", {
        "form": form, "child": access.child, "title": f"{verb} {page.noun}",
        "button": "Save changes" if instance else "Save"})


@login_required
@require_http_methods(["GET", "POST"])
def record_part_new(request: AuthenticatedRequest, pk: int, part: str) -> HttpResponse:
    page = _part(part)
    access = get_record_for(request.user, pk, part)
    return _form_page(request, access, page)


@login_required
@require_http_methods(["GET", "POST"])
def record_part_edit(request: AuthenticatedRequest, pk: int, part: str, item_pk: int) -> HttpResponse:
    page = _part(part)
    access = get_record_for(request.user, pk, part)
    instance = get_object_or_404(page.model, child=access.child, pk=item_pk)
    return _form_page(request, access, page, instance)


@login_required
@require_http_methods(["GET", "POST"])
def school_move_edit(request: AuthenticatedRequest, pk: int, placement_pk: int) -> HttpResponse:
    access = get_record_for(request.user, pk, Part.SCHOOL_MOVE)
    placement = get_object_or_404(SchoolPlacement.objects.select_related("school"), child=access.child,
                                  pk=placement_pk)
    move = getattr(placement, "move", None)
    form = forms.SchoolMoveForm(request.POST if request.method == "POST" else None, instance=move, child=access.child,
                                professional=access.professional,
                                initial=None if move else {"mid_year": services.is_mid_year(placement.started_on)})
    if request.method == "POST" and form.is_valid():
        try:
            services.school_move_save(actor=request.user, placement=placement, reason=form.cleaned_data["reason"],
                                      mid_year=form.cleaned_data["mid_year"], notes=form.cleaned_data.get("notes", ""))
        except services.ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            messages.success(request, f"The reason for the move to {placement.school.name} has been saved.")
            return redirect("education_record", pk=access.child.pk)
    return render(request, "education/part_form.html", {
        "form": form, "child": access.child, "title": f"Why they moved to {placement.school.name}",
        "lead": f"They started there on {placement.started_on:%-d %B %Y}.", "button": "Save"})


@login_required
@require_GET
def chronology(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_record_for(request.user, pk)
    child_record_viewed(actor=request.user, child=access.child, what="chronology")
    return render(request, "education/chronology.html", {
        "child": access.child, "events": chronology_of(access.child, professional=access.professional)})
