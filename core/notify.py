"""A Django email backend that sends through GOV.UK Notify.

Choose it with ``EMAIL_BACKEND=core.notify.NotifyEmailBackend`` and set
``GOVUK_NOTIFY_API_KEY`` and ``GOVUK_NOTIFY_TEMPLATE_ID``. Everything that sends email in the
portal goes through the outbox (``core.notifications``), which opens one connection of
whatever backend is set, so nothing else changes when a council switches from SMTP to
Notify.

Notify sends only from templates that live in the council's Notify account, so the
portal uses one email template whose subject is ``((subject))`` and whose body is
``((body))``; each message fills both in. We use GOV.UK's own client
(notifications-python-client, maintained by the Notify team) rather than
django-gov-notify, which pins that client below version 9.

A failed send raises ``notifications_python_client.errors.HTTPError`` (with Notify's status
code and error list) unless ``fail_silently`` is set; the outbox records it on the row and
tries again later. Attachments (the .ics of a meeting invitation) are not sent: Notify
has no attachments, only links to files uploaded to it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key: str = getattr(settings, "GOVUK_NOTIFY_API_KEY", "")
        self.template_id: str = getattr(settings, "GOVUK_NOTIFY_TEMPLATE_ID", "")
        self.base_url: str = getattr(settings, "GOVUK_NOTIFY_BASE_URL", "") or DEFAULT_BASE_URL
        self.reply_to_id: str = getattr(settings, "GOVUK_NOTIFY_REPLY_TO_ID", "")
        self.timeout: float = getattr(settings, "GOVUK_NOTIFY_TIMEOUT", 10)
        # A Notify API key is "<key name>-<service id (36)>-<secret (36)>"; the client reads
        # both ids from the end of it and signs every request with the secret.
        if len(self.api_key) < 74 or not self.template_id:
            raise ImproperlyConfigured(
                "EMAIL_BACKEND is GOV.UK Notify: set GOVUK_NOTIFY_API_KEY (the whole key Notify gave you) "
                "and GOVUK_NOTIFY_TEMPLATE_ID (an email template with ((subject)) and ((body)))."
            )
        self.client: Any | None = None  # A NotificationsAPIClient while open (the package has no types).

    def open(self) -> bool:
        if self.client is not None:
            return False
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
        return True

    def close(self) -> None:
        if self.client is not None:
            self.client.request_session.close()
        self.client = None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        opened = self.open()
        sent = 0
        try:
            for message in email_messages:
                try:
                    self._send(message)
                except Exception:
                    if not self.fail_silently:
                        raise
                    log.warning("Notify refused an email", extra={"event": "notify_send_failed"})
                else:
                    sent += 1
        finally:
            if opened:
                self.close()
        return sent

    def _send(self, message: EmailMessage) -> None:
        if self.client is None:
            raise RuntimeError("send_messages() opens the Notify client before sending")
        if message.attachments:
            # Notify sends files only as links through its own upload service, which a
            # council must ask Notify to switch on; the text still goes (it carries the
            # link into the portal) and the drop is logged.
            log.warning("Notify email sent without its attachments",
                        extra={"event": "notify_attachments_dropped", "count": len(message.attachments)})
        personalisation = {"subject": message.subject, "body": message.body}
        # Notify sends to one address per request.
        for address in message.recipients():
            self.client.send_email_notification(
                email_address=address,
                template_id=self.template_id,
                personalisation=personalisation,
                email_reply_to_id=self.reply_to_id or None,
            )


@checks.register(checks.Tags.compatibility)
def check_notify_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With Notify chosen, a missing key or template stops every manage.py command (the
    compose `migrate` service first), not the first email hours later in the worker."""
    if settings.EMAIL_BACKEND != f"{__name__}.NotifyEmailBackend":
        return []
    try:
        NotifyEmailBackend()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="epep.E001")]
    return []
