"""Celery tasks: one line each over a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="imports.run_ssda903_import", acks_late=True, reject_on_worker_lost=True)
def run_ssda903_import(job_id: int) -> None:
    services.ssda903_job_run(job_id=job_id)


@shared_task(name="imports.ssda903_catch_up", acks_late=True, reject_on_worker_lost=True)
def ssda903_catch_up() -> int:
    return services.ssda903_catch_up()
