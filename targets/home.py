"""The Virtual School's Pupil Premium Plus panel (requests waiting for a decision) and the LA
admin's link to the PP+ allocation and meeting settings."""

from __future__ import annotations

from accounts.models import User
from core.roles import Role

from .models import PpPlusRequest


def panels(user: User) -> list[dict]:
    if user.role == Role.VIRTUAL_SCHOOL and user.local_authority_id:
        waiting = PpPlusRequest.objects.filter(child__local_authority_id=user.local_authority_id,
                                               status=PpPlusRequest.Status.REQUESTED).count()
        return [{"template": "targets/panels/pp_plus.html", "waiting": waiting, "vs": True}]
    if user.role == Role.LA_ADMIN and user.local_authority_id:
        return [{"template": "targets/panels/pp_plus.html", "vs": False}]
    return []
