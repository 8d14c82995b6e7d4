"""The outbox: every email of the portal is written in the sender's transaction and
delivered by a Celery worker. Nothing else sends email (tests/core/test_one_outbox.py
fails on a `send_mail` or an `EmailMessage` anywhere else).

The public API for every app:

    from core.notifications import Attachment, outbox_enqueue
    outbox_enqueue(to="a@example.org", subject="...", body="...", dedupe_key=None,
                   attachments=[Attachment("pep-meeting.ics", ics_text, "text/calendar; method=REQUEST")])

Call it inside your service's transaction instead of `send_mail` in `on_commit`. The row
commits (or rolls back) with your data. After commit a delivery task is published with
a short broker timeout; if the broker is down the request does not wait and the
every-minute `outbox_sweep` task sends the email once the broker is back.

Delivery is at least once: a worker killed between handing a message to the mail server
and recording `sent_at` sends that one message again on the next sweep.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with an email: text (an .ics) or bytes."""

    filename: str
    content: str | bytes
    mimetype: str

    def as_json(self) -> dict[str, str]:
        if isinstance(self.content, bytes):
            return {"filename": self.filename, "mimetype": self.mimetype, "encoding": "base64",
                    "content": base64.b64encode(self.content).decode("ascii")}
        return {"filename": self.filename, "mimetype": self.mimetype, "content": self.content}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Attachment:
        content: str | bytes = data["content"]
        if data.get("encoding") == "base64":
            content = base64.b64decode(content)
        return cls(data["filename"], content, data["mimetype"])


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    body: str
    dedupe_key: str | None = None


def outbox_enqueue(*, to: str, subject: str, body: str, dedupe_key: str | None = None,
                   attachments: Sequence[Attachment] = ()) -> Outbox | None:
    """Write one email to the outbox in the caller's transaction; deliver after commit.

    With a `dedupe_key` that is already in the outbox nothing is written and None is
    returned: the email has been (or will be) sent already.
    """
    files = [a.as_json() for a in attachments] or None
    if dedupe_key is not None and Outbox.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():  # A savepoint: a duplicate key must not break the caller's transaction.
            row = Outbox.objects.create(to=to, subject=subject[:200], body=body, dedupe_key=dedupe_key,
                                        attachments=files)
    except IntegrityError:
        return None
    _deliver_after_commit()
    return row


def outbox_enqueue_many(emails: Iterable[Email]) -> int:
    """Write many emails in one INSERT (duplicates of a dedupe key are skipped)."""
    from .bulk import copy_insert

    now = timezone.now()
    rows = [(e.to, e.subject[:200], e.body, e.dedupe_key, now, 0, "") for e in emails]
    if not rows:
        return 0
    copy_insert(Outbox, ("to", "subject", "body", "dedupe_key", "created_at", "attempts", "last_error"), rows,
                skip_conflicts=True)
    _deliver_after_commit()
    return len(rows)


def _deliver_after_commit() -> None:
    """Publish one delivery task when the current transaction commits.

    A transaction that enqueues a thousand emails publishes one task, not a thousand.
    """
    from django.db import connection

    if any(isinstance(entry[1], _KickOnCommit) and not entry[1].done for entry in connection.run_on_commit):
        return
    transaction.on_commit(_KickOnCommit())


class _KickOnCommit:
    """The after-commit callback; `done` once it ran. A committed transaction's callbacks
    leave `run_on_commit`, but a test's captured ones stay there after running, and a
    second write in the same test must still publish its own delivery."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        kick_delivery()


def kick_delivery() -> bool:
    """Ask a worker to deliver the outbox now. Never raises; never waits long.

    Returns False when the broker could not be reached (the sweeper will deliver later).
    """
    from core.queue import send_task_quietly

    from .tasks import deliver_outbox

    return send_task_quietly(deliver_outbox)


def outbox_deliver(*, limit: int = 5000) -> int:
    """Send pending outbox emails; returns how many were sent.

    Each message is locked (SKIP LOCKED, so two workers share the work), sent and marked
    in its own short transaction: a crash re-sends at most the message in hand.
    """
    sent = 0
    tried: list[int] = []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for _ in range(limit):
            with transaction.atomic():
                row = (Outbox.objects.select_for_update(skip_locked=True)
                       .filter(sent_at__isnull=True, attempts__lt=Outbox.MAX_ATTEMPTS)
                       .exclude(pk__in=tried).order_by("created_at", "pk").first())
                if row is None:
                    break
                tried.append(row.pk)
                row.attempts += 1
                try:
                    _message(row, connection).send()
                except Exception as exc:  # noqa: BLE001 - recorded on the row and retried by the sweeper
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    row.save(update_fields=["attempts", "last_error"])
                    log.warning("email delivery failed", extra={"event": "outbox_send_failed", "object_id": row.pk})
                else:
                    row.sent_at = timezone.now()
                    row.last_error = ""
                    row.save(update_fields=["attempts", "sent_at", "last_error"])
                    sent += 1
    finally:
        connection.close()
    return sent


def _message(row: Outbox, connection) -> EmailMessage:
    message = EmailMessage(subject=row.subject, body=row.body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[row.to], connection=connection)
    for data in row.attachments or ():
        attachment = Attachment.from_json(data)
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message
