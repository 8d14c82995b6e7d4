"""The children panels of each role's home page."""

from __future__ import annotations

from accounts.models import User

from .models import AccessRequest
from .policies import can_manage_access, can_manage_children, can_request_access
from .selectors import children_for_user


def panels(user: User) -> list[dict]:
    children = children_for_user(user=user)
    first = list(children[:10])
    result = [{"template": "children/panels/my_children.html", "children": first, "count": children.count(),
               "can_manage": can_manage_children(user)}]
    if can_manage_access(user):
        pending = AccessRequest.objects.filter(local_authority_id=user.local_authority_id,
                                               status=AccessRequest.Status.PENDING).count()
        result.append({"template": "children/panels/access.html", "manager": True, "pending": pending})
    elif can_request_access(user):
        result.append({"template": "children/panels/access.html", "manager": False})
    return result
