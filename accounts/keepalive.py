"""The GOV.UK timeout warning's "Stay signed in": one GET that refreshes the idle timer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .http import AuthenticatedRequest


@login_required
@require_GET
@never_cache
def keep_alive(request: AuthenticatedRequest) -> JsonResponse:
    # SESSION_SAVE_EVERY_REQUEST re-saves the session on this request, which restarts the
    # idle timeout; nothing else changes. The absolute limit still applies.
    return JsonResponse(
        {"idle_seconds": request.session.get_expiry_age(),
         "absolute_seconds": getattr(request, "session_absolute_remaining", None)}
    )


# Mounted under /session/ by epep/urls.py.
urlpatterns = [path("keep-alive", keep_alive, name="session_keep_alive")]
