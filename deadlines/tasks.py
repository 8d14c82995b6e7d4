"""Celery tasks: one line each over a service. At least once (acks_late and
reject_on_worker_lost: a worker killed mid-task leaves the message to be redelivered);
the services are idempotent, so running a task twice does its work once."""

from __future__ import annotations

from celery import shared_task

from . import services, status


@shared_task(name="timeliness.flag_overdue", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def flag_overdue(today: str | None = None) -> dict:
    return services.flag_overdue(today=_date(today)).as_dict()


@shared_task(name="timeliness.deadline_status_nightly", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def deadline_status_nightly(today: str | None = None) -> dict:
    return status.nightly(today=_date(today))


def _date(value: str | None):
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None
