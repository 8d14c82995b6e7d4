"""The current request's id, kept where logging can read it before Django's apps load."""

from __future__ import annotations

import contextvars

# Set by RequestIdMiddleware for the duration of a request; Celery tasks leave it empty.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=""
)
