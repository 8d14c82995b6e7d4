"""The upcoming PEP meetings panel on the home page of the people who organise and attend them."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from children.policies import children_visible_to
from core.roles import Role

from .models import Meeting

ROLES = frozenset({Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL, Role.CARER})


def panels(user: User) -> list[dict]:
    if user.role not in ROLES:
        return []
    upcoming = list(Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now(),
                                           pep__child__in=children_visible_to(user))
                    .select_related("pep__child").order_by("starts_at")[:5])
    return [{"template": "meetings/panels/upcoming.html", "meetings": upcoming}]
