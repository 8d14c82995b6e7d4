"""Who may manage people and organisations. Children's records: children/policies.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.roles import Role

from .models import LocalAuthority, LoginRequest, User


def can_manage_people(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.LA_ADMIN)


def require_people_manager(user: User) -> None:
    if not can_manage_people(user):
        raise PermissionDenied("Only local authority admins can manage logins.")


def people_managed_by(user: User):
    """The people an admin may see and re-invite: their own LA's (all, for a superuser)."""
    require_people_manager(user)
    qs = User.objects.select_related("local_authority", "school")
    return qs if user.is_superuser else qs.filter(local_authority=user.local_authority)


def get_person_for(user: User, pk: int) -> User:
    return get_object_or_404(people_managed_by(user), pk=pk)


def get_login_request_for(user: User, pk: int) -> LoginRequest:
    require_people_manager(user)
    qs = LoginRequest.objects.select_related("local_authority")
    if not user.is_superuser:
        qs = qs.filter(local_authority=user.local_authority)
    try:
        return qs.get(pk=pk)
    except LoginRequest.DoesNotExist as exc:
        raise Http404 from exc


def legal_details_authority_for(user: User) -> LocalAuthority:
    """The LA whose public contact details this person may edit: an LA admin's own."""
    if not (user.is_authenticated and user.role == Role.LA_ADMIN and user.local_authority is not None):
        raise PermissionDenied("Only a local authority's admins can change its contact details.")
    return user.local_authority
def get_la_for_council_sign_in(user: User, pk: int) -> LocalAuthority:
    """The LA whose council sign-in settings an admin may see and change: their own (any,
    for a superuser). 403 for people who are not admins, 404 for another LA's."""
    require_people_manager(user)
    qs = LocalAuthority.objects.all()
    if not user.is_superuser:
        qs = qs.filter(pk=user.local_authority_id) if user.local_authority_id is not None else qs.none()
    return get_object_or_404(qs, pk=pk)
