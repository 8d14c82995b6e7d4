"""Celery tasks: one line each, calling a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def render_approved_pdf(pep_id: int) -> None:
    services.approved_pdf_store(pep_id=pep_id)


@shared_task
def build_export(job_id: int) -> None:
    services.export_job_build(job_id=job_id)


@shared_task(name="quality.catch_up", acks_late=True, reject_on_worker_lost=True)
def catch_up() -> tuple[int, int]:
    services.export_files_expire()
    return services.quality_catch_up()


@shared_task(name="quality.refresh_dashboards", ignore_result=True)
def refresh_dashboards() -> int:
    from . import warm

    return warm.refresh_dashboards()
