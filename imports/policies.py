"""Who may import what: the one place that answers it.

- SSDA903 and term dates: the LA admins and the Virtual School of the LA, into their own LA.
- GIAS (the national list of schools): platform admins (Django superusers) only.
- Attendance files: designated teachers and the Virtual School; the rows match only the
  children the uploader may see (children.policies.children_visible_to).
"""

from __future__ import annotations

import logging
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import LocalAuthority, User
from core.roles import Role

from .models import Ssda903Import

security_log = logging.getLogger("epep.security")

LA_IMPORTERS = (Role.LA_ADMIN, Role.VIRTUAL_SCHOOL)
ATTENDANCE_UPLOADERS = (Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL)


def _refuse(user: User, what: str) -> NoReturn:
    security_log.warning("import refused", extra={"event": "import_403", "user_id": user.pk, "object_type": what})
    raise PermissionDenied


def can_import_for_la(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in LA_IMPORTERS and user.local_authority_id)


def require_la_importer(user: User) -> LocalAuthority:
    """The importer's own LA, or 403."""
    la = user.local_authority if can_import_for_la(user) else None
    if la is None:
        _refuse(user, "imports.la")
    return la


def can_import_gias(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def require_gias_importer(user: User) -> None:
    if not can_import_gias(user):
        _refuse(user, "imports.gias")


def can_upload_attendance(user: User) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.DESIGNATED_TEACHER:
        return user.school_id is not None
    return user.role == Role.VIRTUAL_SCHOOL and user.local_authority_id is not None


def require_attendance_uploader(user: User) -> None:
    if not can_upload_attendance(user):
        _refuse(user, "imports.attendance")


def get_ssda903_import_for(user: User, pk: int) -> Ssda903Import:
    """One of the person's own LA's 903 imports: 403 for people who may not import, 404 for another LA's."""
    la = require_la_importer(user)
    job = Ssda903Import.objects.filter(pk=pk, local_authority=la).first()
    if job is None:
        raise Http404("No such import")
    return job
