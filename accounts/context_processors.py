from __future__ import annotations

from django.conf import settings


def service(request) -> dict:
    return {"SERVICE_NAME": settings.SERVICE_NAME}
