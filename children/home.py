"""The children panel of each role's home page."""

from __future__ import annotations

from accounts.models import User

from .policies import can_manage_children
from .selectors import children_for_user


def panels(user: User) -> list[dict]:
    children = children_for_user(user=user)
    first = list(children[:10])
    return [{"template": "children/panels/my_children.html", "children": first, "count": children.count(),
             "can_manage": can_manage_children(user)}]
