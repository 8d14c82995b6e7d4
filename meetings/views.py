"""Thin views over PEP meetings: authorise (meetings.policies / peps.policies), call a
service, redirect. A rule the service refuses is shown against the form's field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from children.services import child_record_viewed
from core.forms import form_service_call
from core.refusals import Refused
from peps.policies import PepAction

from . import ical, services
from .forms import CancelForm, MeetingSettingsForm, RecordForm, RescheduleForm, ScheduleForm
from .models import Meeting
from .policies import (
    CannotSchedule,
    can_ask_for_meeting,
    can_schedule,
    get_meeting_for,
    get_meeting_for_scheduling,
    get_pep_for_meeting_request,
    get_pep_for_scheduling,
    require_meeting_settings_manager,
    who_arranges,
)


def _context(access, **extra) -> dict:
    return {"pep": access.pep, "child": access.pep.child, "pep_access": access, **extra}


def _who_arranges(request: AuthenticatedRequest, refusal: CannotSchedule) -> HttpResponse:
    """A team member who may not arrange the meeting: who can, and (for professionals) the ask. Still a 403."""
    access = refusal.access
    return render(request, "meetings/who_arranges.html", _context(
        access, who=who_arranges(access.pep.child.local_authority), can_ask=can_ask_for_meeting(access),
        live=services.live_meeting(access.pep)), status=403)


def _arranging(view):
    """Show the who-arranges page for a CannotSchedule refusal (a plain 403 stays a plain 403)."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except CannotSchedule as refusal:
            return _who_arranges(request, refusal)
    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
@_arranging
def meeting_schedule(request: AuthenticatedRequest, pep_pk: int) -> HttpResponse:
    access = get_pep_for_scheduling(request.user, pep_pk)
    pep = access.pep
    existing = services.live_meeting(pep)
    if existing is not None:
        messages.info(request, "This PEP already has a meeting. You can reschedule or cancel it here.")
        return redirect("meeting_detail", pk=existing.pk)
    chairs = services.chair_candidates(pep)
    default_chair = chairs.filter(pk=request.user.pk).first() or chairs.first()
    form = ScheduleForm(request.POST or None, chair_queryset=chairs, team_people=services.team_people(pep),
                        default_chair=default_chair)
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.meeting_schedule(
                actor=request.user, pep=pep, starts_at=form.starts_at(),
                duration_minutes=form.cleaned_data["duration_minutes"], format=form.cleaned_data["format"],
                location=form.cleaned_data["location"], chair=form.cleaned_data["chair"],
                team_user_ids=form.team_user_ids(), others=form.others()),
            success="The meeting has been scheduled and the invitations sent.",
            done=lambda meeting: reverse("meeting_detail", kwargs={"pk": meeting.pk}),
            refused_to=reverse("pep_detail", kwargs={"pk": pep.pk}))
        if response:
            return response
    return render(request, "meetings/meeting_schedule.html",
                  _context(access, form=form, no_chair=not chairs.exists(),
                           chair_role_label=services.settings_for(pep.child.local_authority).get_chair_role_display()))


@login_required
@require_GET
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, meeting = get_meeting_for(request.user, pk, PepAction.VIEW)
    child_record_viewed(actor=request.user, child=access.pep.child, what=f"meeting:{meeting.pk}")
    return render(request, "meetings/meeting_detail.html", _context(
        access, meeting=meeting, invitees=list(meeting.invitees.all()),
        can_schedule=can_schedule(access) and meeting.status == Meeting.Status.SCHEDULED,
        can_record=access.can(PepAction.RECORD_MEETING) and meeting.status != Meeting.Status.CANCELLED,
    ))


@login_required
@require_GET
def meeting_calendar_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, meeting = get_meeting_for(request.user, pk, PepAction.VIEW)
    method = ical.CANCEL if meeting.status == Meeting.Status.CANCELLED else ical.REQUEST
    response = HttpResponse(ical.meeting_ics(meeting, method), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pep-meeting.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@_arranging
def meeting_reschedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, meeting = get_meeting_for_scheduling(request.user, pk)
    form = RescheduleForm(request.POST or None, initial=RescheduleForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.meeting_reschedule(actor=request.user, meeting=meeting, starts_at=form.starts_at(),
                                            duration_minutes=form.cleaned_data["duration_minutes"],
                                            format=form.cleaned_data["format"], location=form.cleaned_data["location"]),
            success="The meeting has been moved and the invitations updated.",
            done=reverse("meeting_detail", kwargs={"pk": meeting.pk}))
        if response:
            return response
    return render(request, "meetings/meeting_reschedule.html", _context(access, meeting=meeting, form=form))


@login_required
@require_http_methods(["GET", "POST"])
@_arranging
def meeting_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, meeting = get_meeting_for_scheduling(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]),
            success="The meeting has been cancelled and everyone invited has been told.",
            done=reverse("meeting_detail", kwargs={"pk": meeting.pk}))
        if response:
            return response
    return render(request, "meetings/meeting_cancel.html", _context(access, meeting=meeting, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access, meeting = get_meeting_for(request.user, pk, PepAction.RECORD_MEETING)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, "This meeting was cancelled, so it cannot be recorded. Schedule a new one.")
        return redirect("meeting_detail", pk=meeting.pk)
    invitees = list(meeting.invitees.all())
    form = RecordForm(request.POST or None, invitees=invitees, initial=RecordForm.initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = form_service_call(
            request, form,
            lambda: services.meeting_record(
                actor=request.user, meeting=meeting, held_on=data["held_on"],
                child_participation=data["child_participation"], attendance=form.attendance(),
                going_well=data["going_well"], difficulties=data["difficulties"],
                support_in_place=data["support_in_place"], pp_plus_impact=data["pp_plus_impact"],
                next_meeting_on=data["next_meeting_on"]),
            success="The meeting has been recorded.",
            done=reverse("meeting_detail", kwargs={"pk": meeting.pk}))
        if response:
            return response
    return render(request, "meetings/meeting_record.html", _context(access, meeting=meeting, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_settings(request: AuthenticatedRequest) -> HttpResponse:
    la = require_meeting_settings_manager(request.user)
    current = services.settings_for(la)
    form = MeetingSettingsForm(request.POST or None, initial={"chair_role": current.chair_role,
                                                              "scheduler_roles": current.scheduler_roles})
    if request.method == "POST" and form.is_valid():
        response = form_service_call(
            request, form,
            lambda: services.meeting_settings_set(actor=request.user, local_authority=la,
                                                  chair_role=form.cleaned_data["chair_role"],
                                                  scheduler_roles=form.cleaned_data["scheduler_roles"]),
            success="How PEP meetings are run has been saved.",
            done=reverse("meeting_settings"))
        if response:
            return response
    return render(request, "meetings/meeting_settings.html", {"form": form, "la": la})


@login_required
@require_POST
def meeting_arrangement_request(request: AuthenticatedRequest, pep_pk: int) -> HttpResponse:
    """"Ask them to arrange it": email the people who arrange this PEP's meeting."""
    access = get_pep_for_meeting_request(request.user, pep_pk)
    try:
        asked = services.meeting_arrangement_request(actor=request.user, pep=access.pep)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        people = [person.full_name for person in asked]
        names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
        messages.success(request, f"We have asked {names} to arrange this PEP's meeting. "
                                  "They have been sent an email with a link to the PEP.")
    return redirect("pep_detail", pk=access.pep.pk)
