"""The deadlines panel of a professional's home page: what is overdue or due soon."""

from __future__ import annotations

from accounts.models import User

from . import status
from .engine import Deadline
from .selectors import PROFESSIONAL_ROLES, deadline_scope

PANEL_ROWS = 10


def panels(user: User) -> list[dict]:
    if not user.is_authenticated or user.role not in PROFESSIONAL_ROLES:
        return []
    scope = deadline_scope(user)
    rows: list[Deadline] = []
    count = overdue = 0
    if scope is not None:
        # Counted and cut to the first rows in SQL (deadlines.status), not in Python.
        rows, count, overdue = status.needing_action(limit=PANEL_ROWS, **scope)
    return [{
        "template": "timeliness/panels/deadlines.html",
        "deadlines": rows,
        "count": count,
        "overdue": overdue,
    }]
