"""Celery tasks: one line each over a service (data_protection.services).

The names keep the "children." prefix of the app these began in: the beat schedule (and
its rows in django-celery-beat's table) and any message already queued name them so."""

from __future__ import annotations

from celery import shared_task

from . import services as data_protection


@shared_task(name="children.build_subject_access", acks_late=True, reject_on_worker_lost=True)
def build_subject_access(job_id: int) -> None:
    data_protection.subject_access_build(job_id=job_id)


@shared_task(name="children.retention_review", acks_late=True, reject_on_worker_lost=True)
def retention_review() -> int:
    return len(data_protection.retention_review_run())


@shared_task(name="children.subject_access_catch_up", acks_late=True, reject_on_worker_lost=True)
def subject_access_catch_up() -> int:
    data_protection.subject_access_files_expire()
    return data_protection.subject_access_catch_up()
