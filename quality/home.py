"""The quality panel on the home page: dashboards, QA waiting, exports, criteria."""

from __future__ import annotations

from accounts.models import User
from core.roles import Role

from . import selectors


def panels(user: User) -> list[dict]:
    if not selectors.may_see_dashboard(user):
        return []
    panel = {"template": "quality/panels/home.html", "title": selectors.dashboard_title(user),
             "is_vs": user.role == Role.VIRTUAL_SCHOOL, "is_admin": user.role == Role.LA_ADMIN}
    if user.role == Role.VIRTUAL_SCHOOL:
        waiting = selectors.awaiting_qa(user)
        panel["waiting"] = list(waiting[:5])
        panel["waiting_count"] = waiting.count()
        missing = selectors.approved_without_pdf_for(user)
        panel["pdf_missing"] = list(missing[:5])
        panel["pdf_missing_count"] = missing.count() if panel["pdf_missing"] else 0
    return [panel]
