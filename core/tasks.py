"""Celery tasks of the ground floor: delivering the outbox. At least once (acks_late and
reject_on_worker_lost); each row is locked and marked sent in its own transaction, so a
row is sent once unless a worker dies between the mail server and the mark.

The task names keep the "timeliness." prefix of the app the outbox came from: the beat
schedule (and its rows in django-celery-beat's table) and any message queued before the
move name them so."""

from __future__ import annotations

from celery import shared_task

from . import notifications


@shared_task(name="timeliness.deliver_outbox", acks_late=True, reject_on_worker_lost=True)
def deliver_outbox() -> int:
    return notifications.outbox_deliver()


@shared_task(name="timeliness.outbox_sweep", acks_late=True, reject_on_worker_lost=True)
def outbox_sweep() -> int:
    return notifications.outbox_deliver()
