"""Security events from allauth and Django auth, logged (never with passwords, codes,
session keys or email addresses: people are logged by id)."""

from __future__ import annotations

import logging
import time

from allauth.account import signals as allauth_signals
from allauth.account.signals import password_changed, password_reset
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import signed_in_browser
from .middleware import STARTED_AT

log = logging.getLogger("epep.security")


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        # The absolute session limit (accounts.middleware) counts from sign-in.
        request.session[STARTED_AT] = int(time.time())
    log.info("login", extra={"event": "login", "user_id": user.pk, "ip": _ip(request)})


@receiver(allauth_signals.user_logged_in)
def on_portal_sign_in(sender, request, response, user, **kwargs) -> None:
    # A completed sign-in through the portal (after the second factor, if any): this browser
    # now held a session of this person, which is what lets a section POST that arrives
    # after the session has ended be kept for them (peps.views).
    if response is not None:
        signed_in_browser.remember(response, request, user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs) -> None:
    log.info(
        "logout", extra={"event": "logout", "user_id": getattr(user, "pk", None), "ip": _ip(request)}
    )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted email is not logged: it may be a password typed in the wrong box.
    log.warning("login failed", extra={"event": "login_failed", "ip": _ip(request)})


@receiver(password_changed)
def on_password_changed(sender, request, user, **kwargs) -> None:
    log.info("password changed", extra={"event": "password_changed", "user_id": user.pk, "ip": _ip(request)})


@receiver(password_reset)
def on_password_reset(sender, request, user, **kwargs) -> None:
    log.info("password reset", extra={"event": "password_reset", "user_id": user.pk, "ip": _ip(request)})


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    log.info("authenticator added", extra={"event": "mfa_added", "user_id": user.pk, "object_id": authenticator.pk,
                                           "ip": _ip(request)})


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    log.warning("authenticator removed", extra={"event": "mfa_removed", "user_id": user.pk,
                                                "object_id": authenticator.pk, "ip": _ip(request)})


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    log.info("recovery codes regenerated", extra={"event": "mfa_reset", "user_id": user.pk,
                                                  "object_id": authenticator.pk, "ip": _ip(request)})


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs) -> None:
    log.warning("two-factor code refused", extra={"event": "mfa_failed", "user_id": user.pk, "ip": _ip(request)})


# Audit events that are also security events: exports and downloads of children's data,
# changes to who may see a child (team links), deletions and new logins. The audit trail
# (core.audit) stays the record; this only copies the fact to the security log, with
# ids and never the changed values (they may hold names). A receiver is used because the
# log line is a side view of the audit row, not business logic.
SECURITY_VERBS = frozenset({"exported", "downloaded", "linked", "unlinked", "deleted", "invited", "accepted"})


@receiver(post_save, sender="core.AuditEvent")
def on_audit_event(sender, instance, created, **kwargs) -> None:
    if created and instance.verb in SECURITY_VERBS:
        log.info(
            f"audit {instance.verb}",
            extra={"event": f"audit_{instance.verb}", "user_id": instance.actor_id, "child_id": instance.child_id,
                   "object_type": instance.object_type, "object_id": instance.object_id},
        )
