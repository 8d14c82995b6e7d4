"""The data-protection panel of an LA admin's home page: records past their retention date."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User

from .policies import is_retention_admin
from .services import past_destroy_after


def panels(user: User) -> list[dict]:
    if not is_retention_admin(user):
        return []
    due = past_destroy_after(user.local_authority_id, timezone.localdate())
    return [{"template": "data_protection/panels/retention.html", "count": len(due)}]
