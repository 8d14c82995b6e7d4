"""Who may use the data-protection pages. Rights over one child's record (the Virtual
School exports it, an LA admin destroys it) are in the children app's rights table
(children.policies.Action); the retention list is the LA admins'."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from accounts.models import User
from core.roles import Role

security_log = logging.getLogger("epep.security")


def is_retention_admin(user: User) -> bool:
    """May see their LA's records past the destroy-after date (and destroy them, per child,
    through get_child_for(..., Action.DESTROY_RECORD))."""
    return user.is_authenticated and user.is_active and user.role == Role.LA_ADMIN \
        and user.local_authority_id is not None


def require_retention_admin(user: User) -> None:
    if not is_retention_admin(user):
        security_log.warning("retention list refused", extra={"event": "retention_403", "user_id": user.pk})
        raise PermissionDenied
