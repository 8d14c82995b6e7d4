"""The request type of the portal's signed-in views, for the type checker.

Every view behind `login_required` (and the portal's MFA middleware) has a signed-in
`accounts.User` as `request.user`; annotating the view with `AuthenticatedRequest` says so
once, instead of checking for an anonymous user in every view (django-stubs' advice).
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedRequest(HttpRequest):
    user: User  # Narrower than HttpRequest's User | AnonymousUser.
