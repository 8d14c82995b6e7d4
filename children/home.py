"""What each role's home page shows; later apps add their panels here."""

from __future__ import annotations

from accounts.models import User

from .selectors import children_for_user


def home_context(user: User) -> dict:
    panels = []
    children = list(children_for_user(user=user)[:10])
    panels.append({"template": "children/panels/my_children.html", "children": children,
                   "count": children_for_user(user=user).count()})
    return {"panels": panels}
