"""Thin views over children: authorise with children.policies, read with selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role, School, User

from . import services
from .forms import ChildSearchForm
from .policies import Action, get_child_for
from .selectors import children_for_user, current_placement, team_of


@login_required
@require_GET
def children_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_la_wide = user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN)
    schools = social_workers = ()
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
    return render(request, "children/children_list.html",
                  {"form": form, "page": page, "rows": rows, "is_la_wide": is_la_wide})


@login_required
@require_GET
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_child_for(request.user, pk, Action.VIEW)
    child = access.child
    services.child_record_viewed(actor=request.user, child=child)
    return render(request, "children/child_detail.html", {
        "child": child,
        "access": access,
        "Action": Action,
        "can_see_professional": access.can(Action.VIEW_PROFESSIONAL),
        "can_edit": access.can(Action.EDIT_RECORD),
        "placement": current_placement(child),
        "placements": child.placements.select_related("school"),
        "episodes": child.care_episodes.all(),
        "team": team_of(child),
    })
