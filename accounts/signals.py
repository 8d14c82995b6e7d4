"""Security events from allauth and Django auth, logged (never with passwords)."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("epep.security")


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    log.info("login", extra={"event": "login", "user_id": user.pk, "ip": _ip(request)})


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs) -> None:
    log.info(
        "logout", extra={"event": "logout", "user_id": getattr(user, "pk", None), "ip": _ip(request)}
    )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted email is not logged: it may be a password typed in the wrong box.
    log.warning("login failed", extra={"event": "login_failed", "ip": _ip(request)})
