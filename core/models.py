"""The models every app shares. They point at the user through settings.AUTH_USER_MODEL and
at nothing else of the portal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One write (or one read of a child's record), written in the same transaction."""

    class Verb(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"
        VIEWED = "viewed", "Viewed"
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        LINKED = "linked", "Linked"
        UNLINKED = "unlinked", "Unlinked"
        IMPORTED = "imported", "Imported"
        TRANSITIONED = "transitioned", "Changed status"
        EXPORTED = "exported", "Exported"
        DOWNLOADED = "downloaded", "Downloaded"
        # The stub left when a child's record is destroyed at the end of its retention period.
        RECORD_DESTROYED = "record_destroyed", "Record destroyed"

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as a plain id so that the audit trail outlives a deleted record (an audit stub).
    child_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    verb = models.CharField(max_length=16, choices=Verb.choices)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        # The table was made by the accounts app, before the audit trail moved to core; the
        # name stays so that the move touched no row (core/migrations/0001_initial.py).
        db_table = "accounts_auditevent"
        ordering = ["-at", "-id"]
        indexes = [
            # A child's audit history, newest first.
            models.Index(fields=["child_id", "-at"], name="audit_child_idx"),
            # An object's history (a PEP, a section).
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.verb} {self.object_type}:{self.object_id}"


class DataVersion(models.Model):
    """How many audited writes a part of the data has had: the version that the cached
    figures of an LA (its dashboard, deadlines, reporting) are keyed on (core.audit).

    One row per LA ("la<id>") and one for writes that belong to no single LA ("all"). A
    write bumps its row in its own transaction, so the new version becomes visible at the
    same moment as the data it counts; readers never wait for it (a plain read)."""

    ALL = "all"

    scope = models.CharField(max_length=24, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.n}"


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
