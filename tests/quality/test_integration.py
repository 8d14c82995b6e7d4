"""Quality assurance on the real servers: PostgreSQL row locks and a Celery worker on Redis."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from epep.celery import app as celery_app
from peps.models import Pep
from quality import services
from quality.models import QaReview
from tests.quality.factories import submitted_pep
from tests.quality.test_qa import ratings_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_officers_rating_one_pep_at_once_record_one_review(postgres, world):
    pep = submitted_pep(world.child)
    services.active_criteria(world.la)
    ratings = ratings_for(world.la)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def rate(decision: str) -> None:
        try:
            barrier.wait()
            services.qa_review_record(actor=world.people["vs_officer"], pep=pep, ratings=ratings, decision=decision,
                                      comment=decision)
            outcomes.append("recorded")
        except (PermissionDenied, ValidationError):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(d,)) for d in ("approved", "returned")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["recorded", "refused"]
    assert QaReview.objects.filter(pep=pep).count() == 1
    assert Pep.objects.get(pk=pep.pk).status in (Pep.Status.APPROVED, Pep.Status.RETURNED)


def test_a_celery_worker_renders_the_approved_pdf_once(postgres, redis_client, world, settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    settings.MEDIA_ROOT = tmp_path
    pep = submitted_pep(world.child)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            # pep_approve calls on_pep_approved, which queues the task when the transaction commits.
            services.qa_review_record(actor=world.people["vs_officer"], pep=pep, ratings=ratings_for(world.la),
                                      decision="approved")
            assert not Pep.objects.get(pk=pep.pk).approved_pdf  # rendered by the worker, not the request
            deadline = time.monotonic() + 60
            while not Pep.objects.get(pk=pep.pk).approved_pdf_sha256 and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = eager
    pep.refresh_from_db()
    assert pep.approved_pdf and pep.approved_pdf.read().startswith(b"%PDF-")
