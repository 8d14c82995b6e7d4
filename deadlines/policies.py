"""Who may change an LA's term dates and deadline settings: its LA admins."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import LocalAuthority, User
from core.roles import Role

from .models import TermDates

security_log = logging.getLogger("epep.security")


def can_manage_calendar(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.LA_ADMIN and user.local_authority_id)


def require_calendar_manager(user: User) -> LocalAuthority:
    """The admin's own LA, or 403 for anyone else."""
    if not can_manage_calendar(user):
        security_log.warning("calendar refused", extra={"event": "calendar_403", "user_id": user.pk})
        raise PermissionDenied("Only local authority admins can change term dates and deadline settings.")
    if user.local_authority is None:  # can_manage_calendar checked it
        raise PermissionDenied("Only local authority admins can change term dates and deadline settings.")
    return user.local_authority


def get_term_dates_for(user: User, pk: int) -> TermDates:
    """One term of the admin's own LA: 403 for non-admins, 404 for another LA's term."""
    la = require_calendar_manager(user)
    row = TermDates.objects.filter(pk=pk, local_authority=la).first()
    if row is None:
        raise Http404("No such term")
    return row
