"""The deadlines panel of a professional's home page: what is overdue or due soon."""

from __future__ import annotations

from accounts.models import User

from .selectors import PROFESSIONAL_ROLES, deadlines_for_user

PANEL_ROWS = 10


def panels(user: User) -> list[dict]:
    if not user.is_authenticated or user.role not in PROFESSIONAL_ROLES:
        return []
    actionable = [d for d in deadlines_for_user(user) if d.needs_action]
    return [{
        "template": "timeliness/panels/deadlines.html",
        "deadlines": actionable[:PANEL_ROWS],
        "count": len(actionable),
        "overdue": sum(1 for d in actionable if d.status == "overdue"),
    }]
