"""What the ground floor stores: the outbox every email of the portal goes through."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Outbox(models.Model):
    """An email written in the sender's transaction and delivered by a Celery task.

    The web request only writes this row; delivery happens after commit (and again from
    the every-minute sweeper if the broker was down), so a request never waits on Redis.
    """

    MAX_ATTEMPTS = 10

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=100_000)  # written by the portal, not typed
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(max_length=2000, blank=True)
    # Set by callers that must never send the same email twice (digests: one per person a day).
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    # Files sent with the email (a meeting's .ics invitation): a list of
    # {"filename", "mimetype", "content"}, the content as text, or base64 with
    # "encoding": "base64" for bytes. NULL (not []) when there are none, so the bulk
    # insert of the daily run need not name the column.
    attachments = models.JSONField(null=True, blank=True)

    class Meta:
        # The table was created by the deadlines app (label "timeliness") and kept its name
        # when the model moved here.
        db_table = "timeliness_outbox"
        ordering = ["created_at", "pk"]
        verbose_name_plural = "outbox"
        indexes = [
            # The sweeper: pending messages, oldest first.
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
