"""Celery tasks: one line each, calling a service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


# A database that is busy (SQLite's "database is locked", a PostgreSQL restart) is
# OperationalError: try again with backoff (2, 4, 8 ... seconds, jittered, at most 5 times),
# and each failure is logged by Celery. If every try fails, quality-catch-up renders it
# later and the PEP's pages tell the Virtual School the copy is missing meanwhile.
@shared_task(name="quality.render_approved_pdf", autoretry_for=(OperationalError,), retry_backoff=2,
             retry_backoff_max=120, retry_jitter=True, max_retries=5)
def render_approved_pdf(pep_id: int) -> None:
    services.approved_pdf_store(pep_id=pep_id)


@shared_task(name="quality.build_export")
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
