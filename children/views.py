"""Thin views over children: authorise with children.policies, read with selectors, write with services."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import School, User
from core.roles import Role

from . import selectors, services
from .forms import (
    CareEpisodeEndForm,
    CareEpisodeStartForm,
    ChildForm,
    ChildSearchForm,
    ImportForm,
    PlacementEditForm,
    PlacementEndForm,
    PlacementStartForm,
    TeamLinkForm,
)
from .models import CareEpisode, SchoolPlacement, TeamMembership
from .policies import Action, can_manage_children, get_child_for, require_children_manager
from .selectors import children_for_user, current_placement, team_of


def _saved(form, write: Callable[[], object], field_names: dict[str, str] | None = None) -> bool:
    """Run a service; put its ValidationError back on the form (GOV.UK error summary) instead of a 500."""
    try:
        write()
    except ValidationError as exc:
        names = field_names or {}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                field = names.get(name, name)
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return False
    return True


@login_required
@require_GET
def children_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    is_la_wide = user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN)
    schools: Iterable[School] = ()
    social_workers: Iterable[User] = ()
    if is_la_wide:
        schools = School.objects.filter(placements__child__local_authority_id=user.local_authority_id,
                                        placements__ended_on__isnull=True).distinct()
        social_workers = User.objects.filter(role=Role.SOCIAL_WORKER,
                                             local_authority_id=user.local_authority_id)
    form = ChildSearchForm(request.GET or None, schools=schools, social_workers=social_workers)
    filters = form.cleaned_data if form.is_valid() else {}
    children = children_for_user(
        user=user, search=filters.get("q") or "", school_id=filters.get("school"),
        year_group=filters.get("year_group"), social_worker_id=filters.get("social_worker"),
    )
    page = Paginator(children, 50).get_page(request.GET.get("page"))
    rows = [(child, current_placement(child)) for child in page.object_list]
    return render(request, "children/children_list.html", {
        "form": form, "page": page, "rows": rows, "is_la_wide": is_la_wide,
        "can_manage": can_manage_children(user),
    })


@login_required
@require_GET
def child_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_child_for(request.user, pk, Action.VIEW)
    child = access.child
    services.child_record_viewed(actor=request.user, child=child)
    # One read of the placements serves the summary (the current one) and the history.
    placements = list(child.placements.select_related("school"))
    # The episodes are read once, into the child's cache, for the page and the meetings panel.
    prefetch_related_objects([child], "care_episodes")
    placement = next((p for p in placements if p.ended_on is None), None)
    return render(request, "children/child_detail.html", {
        "child": child,
        "access": access,
        "Action": Action,
        "can_see_professional": access.can(Action.VIEW_PROFESSIONAL),
        "can_edit": access.can(Action.EDIT_RECORD),
        "can_manage_team": access.can(Action.MANAGE_TEAM),
        "can_view_audit": access.can(Action.VIEW_AUDIT),
        "can_export_subject_access": access.can(Action.EXPORT_SUBJECT_ACCESS),
        "can_see_destroy_after": access.can(Action.EXPORT_SUBJECT_ACCESS) or access.can(Action.DESTROY_RECORD),
        "placement": placement,
        "phase": selectors.phase_label(child, placement),
        "placements": placements,
        "episodes": child.care_episodes.all(),
        "team": team_of(child),
    })


# ---- adding and changing children (Virtual School and LA admins) ----------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def child_new(request: AuthenticatedRequest) -> HttpResponse:
    require_children_manager(request.user)
    form = ChildForm(request.POST or None, professional=True)
    created = []

    def write():
        created.append(services.child_create(actor=request.user, local_authority=request.user.local_authority,
                                             **form.cleaned_data))

    if request.method == "POST" and form.is_valid() and _saved(form, write):
        child = created[0]
        messages.success(request, f"{child.display_name} has been added. Now record when they entered care "
                                  f"and their school or setting.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": None})


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_child_for(request.user, pk, Action.EDIT_RECORD)
    child = access.child
    professional = access.can(Action.VIEW_PROFESSIONAL)
    initial = {name: getattr(child, name) for name in services.CHILD_FIELDS}
    form = ChildForm(request.POST or None, initial=initial, professional=professional)
    if request.method == "POST" and form.is_valid() and _saved(
            form, lambda: services.child_update(actor=request.user, child=child, **form.cleaned_data)):
        messages.success(request, f"{child.display_name}'s details have been saved.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": child})


@login_required
@require_http_methods(["GET", "POST"])
def care_episode_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.EDIT_RECORD).child
    form = CareEpisodeStartForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid() and _saved(
            form, lambda: services.care_episode_start(actor=request.user, child=child, **form.cleaned_data)):
        messages.success(request, "The time in care has been added.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/simple_form.html", {
        "form": form, "child": child, "title": "Add a time in care", "button": "Add time in care"})


@login_required
@require_http_methods(["GET", "POST"])
def care_episode_end(request: AuthenticatedRequest, pk: int, episode_pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.EDIT_RECORD).child
    episode = get_object_or_404(CareEpisode, child=child, pk=episode_pk)
    form = CareEpisodeEndForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid() and _saved(
            form, lambda: services.care_episode_end(actor=request.user, episode=episode, **form.cleaned_data)):
        messages.success(request, "The date they left care has been recorded.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/simple_form.html", {
        "form": form, "child": child, "title": "Record that they left care", "button": "Record leaving care",
        "lead": f"They entered care on {episode.entered_care_on:%-d %B %Y}."})


@login_required
@require_http_methods(["GET", "POST"])
def placement_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.EDIT_RECORD).child
    form = PlacementStartForm(request.POST or None, child=child)
    current = current_placement(child)

    def write():
        data = dict(form.cleaned_data)
        return services.placement_start(actor=request.user, child=child, school=data.pop("school_urn"), **data)

    if request.method == "POST" and form.is_valid() and _saved(form, write):
        messages.success(request, "The new school or setting has been recorded.")
        return redirect("child_detail", pk=child.pk)
    lead = (f"Their placement at {current.school.name} will end the day before the new one starts."
            if current else "")
    return render(request, "children/simple_form.html", {
        "form": form, "child": child, "title": "Add a school or setting", "button": "Save school or setting",
        "lead": lead})


@login_required
@require_http_methods(["GET", "POST"])
def placement_edit(request: AuthenticatedRequest, pk: int, placement_pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.EDIT_RECORD).child
    placement = get_object_or_404(SchoolPlacement.objects.select_related("school"), child=child, pk=placement_pk)
    initial = {"year_group": placement.year_group, "part_time_timetable": placement.part_time_timetable,
               "alternative_provision": placement.alternative_provision}
    form = PlacementEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _saved(
            form, lambda: services.placement_update(actor=request.user, placement=placement, **form.cleaned_data)):
        messages.success(request, f"The placement at {placement.school.name} has been saved.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/simple_form.html", {
        "form": form, "child": child, "title": f"Change the placement at {placement.school.name}",
        "button": "Save changes"})


@login_required
@require_http_methods(["GET", "POST"])
def placement_end(request: AuthenticatedRequest, pk: int, placement_pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.EDIT_RECORD).child
    placement = get_object_or_404(SchoolPlacement.objects.select_related("school"), child=child, pk=placement_pk)
    form = PlacementEndForm(request.POST or None, placement=placement)
    if request.method == "POST" and form.is_valid() and _saved(
            form, lambda: services.placement_end(actor=request.user, placement=placement, **form.cleaned_data)):
        messages.success(request, f"The placement at {placement.school.name} has ended.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/simple_form.html", {
        "form": form, "child": child, "title": f"End the placement at {placement.school.name}",
        "button": "End placement",
        "lead": "The school's designated teacher will no longer see this child's record or PEPs."})


# ---- the team around the child ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team_link_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.MANAGE_TEAM).child
    placement = current_placement(child)
    form = TeamLinkForm(request.POST or None, la=child.local_authority,
                        school=placement.school if placement else None)

    def write():
        return services.team_link(actor=request.user, child=child, user=form.cleaned_data["email"],
                                  role=form.cleaned_data["role"])

    if request.method == "POST" and form.is_valid() and _saved(form, write, {"user": "email"}):
        person = form.cleaned_data["email"]
        messages.success(request, f"{person.full_name} has been linked to {child.display_name}.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/simple_form.html", {
        "form": form, "child": child, "title": f"Link a person to {child.display_name}", "button": "Link person",
        "lead": ("Designated teachers you registered at the child's school are linked automatically. "
                 "You can also link a designated teacher another council registered at "
                 f"{placement.school.name}." if placement else
                 "Designated teachers you registered at the child's school are linked automatically.")})


@login_required
@require_http_methods(["GET", "POST"])
def team_unlink(request: AuthenticatedRequest, pk: int, link_pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.MANAGE_TEAM).child
    link = get_object_or_404(TeamMembership.objects.select_related("user"), child=child, pk=link_pk,
                             ends_on__isnull=True)
    if request.method == "POST":
        services.team_unlink(actor=request.user, link=link)
        messages.success(request, f"{link.user.full_name} has been unlinked from {child.display_name}.")
        return redirect("child_detail", pk=child.pk)
    return render(request, "children/team_unlink.html", {"child": child, "link": link})


# ---- audit history and import -------------------------------------------------------------------------


@login_required
@require_GET
def child_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    child = get_child_for(request.user, pk, Action.VIEW_AUDIT).child
    services.child_record_viewed(actor=request.user, child=child, what="audit history")
    page = Paginator(selectors.audit_events_of(child), 50).get_page(request.GET.get("page"))
    return render(request, "children/child_history.html", {
        "child": child, "page": page, "rows": selectors.describe_audit_events(page.object_list)})


@login_required
@require_http_methods(["GET", "POST"])
def children_import_upload(request: AuthenticatedRequest) -> HttpResponse:
    require_children_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        la = request.user.local_authority
        if la is None:  # require_children_manager checked it
            raise PermissionDenied
        result = services.children_import(actor=request.user, la=la,
                                          data=form.cleaned_data["file"].read())
        if result.ok:
            messages.success(request, (
                f"{result.rows} rows imported: {result.children_created} children added, "
                f"{result.children_updated} changed and {result.children_unchanged} unchanged."))
            return redirect("children_list")
    return render(request, "children/import.html", {"form": form, "result": result})
