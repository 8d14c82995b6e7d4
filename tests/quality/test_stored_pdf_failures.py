"""A stored PDF that could not be made is not lost (issue 12, point 6).

It is rendered outside any write transaction (so it does not hold the database's write lock
for seconds), its task retries when the database is busy, the catch-up sweep makes it, and
until then the Virtual School is told it is missing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from peps.models import Pep
from quality import pdf as quality_pdf
from quality import services
from quality.tasks import render_approved_pdf
from tests.quality.factories import PepFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def approved(child, *, minutes_ago: int = 10, **fields) -> Pep:
    pep = PepFactory(child=child, status=Pep.Status.APPROVED,
                     approved_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **fields)
    SectionFactory(pep=pep, data={"school_name": "Ruby's School"})
    return pep


def test_the_stored_pdf_is_rendered_outside_any_transaction(world, media, monkeypatch):
    pep = approved(world.child)
    real = quality_pdf.pep_pdf_bytes
    seen: list[int] = []

    def spy(*args, **kwargs):
        seen.append(len(connection.atomic_blocks))
        return real(*args, **kwargs)

    monkeypatch.setattr(quality_pdf, "pep_pdf_bytes", spy)
    # The test's own transaction is open around everything; no block of the service's own.
    outside = len(connection.atomic_blocks)
    pep = services.approved_pdf_store(pep_id=pep.pk)
    assert seen == [outside] * 3  # the family's copy and the professionals' two, none inside a transaction
    assert pep.approved_pdf.read().startswith(b"%PDF-")


def test_a_copy_stored_meanwhile_is_kept_and_the_second_render_dropped(world, media, monkeypatch):
    pep = approved(world.child)
    real = quality_pdf.pep_pdf_bytes

    def render_while_another_stores(*args, **kwargs):
        # The worker and a download render at once: the other one stores first.
        monkeypatch.setattr(quality_pdf, "pep_pdf_bytes", real)
        services.approved_pdf_store(pep_id=pep.pk)
        return b"%PDF- the second render"

    monkeypatch.setattr(quality_pdf, "pep_pdf_bytes", render_while_another_stores)
    stored = services.approved_pdf_store(pep_id=pep.pk)
    assert stored.approved_pdf.read() != b"%PDF- the second render"
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="peps.pep.approved_pdf", object_id=str(pep.pk)).count() == 1


def test_the_task_tries_again_when_the_database_is_locked(world, media, monkeypatch):
    pep = approved(world.child)
    real = services.approved_pdf_store
    calls: list[int] = []

    def locked_once(*, pep_id):
        calls.append(pep_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(pep_id=pep_id)

    monkeypatch.setattr(services, "approved_pdf_store", locked_once)
    # As the worker runs it: a retry is a new run, not an exception for the caller.
    result = render_approved_pdf.apply(args=[pep.pk], throw=False)
    assert result.successful()
    assert calls == [pep.pk, pep.pk]
    pep.refresh_from_db()
    assert pep.approved_pdf
    assert render_approved_pdf.max_retries == 5 and render_approved_pdf.retry_backoff


def test_the_sweep_carries_on_past_a_pep_it_cannot_render_and_tries_it_again_later(world, media, monkeypatch):
    failing = approved(world.child, minutes_ago=20)
    fine = approved(world.other_child, minutes_ago=10, academic_year="2025/26")
    real = services.approved_pdf_store

    def fails_for_one(*, pep_id):
        if pep_id == failing.pk:
            raise OperationalError("database is locked")
        return real(pep_id=pep_id)

    monkeypatch.setattr(services, "approved_pdf_store", fails_for_one)
    assert services.quality_catch_up() == (1, 0)
    fine.refresh_from_db()
    failing.refresh_from_db()
    assert fine.approved_pdf and not failing.approved_pdf
    monkeypatch.setattr(services, "approved_pdf_store", real)
    assert services.quality_catch_up() == (1, 0)
    failing.refresh_from_db()
    assert failing.approved_pdf


def test_the_virtual_school_is_told_a_stored_pdf_is_missing_until_the_sweep_makes_it(world, vs_officer, carer,
                                                                                     login, media):
    pep = approved(world.child)
    client = login(vs_officer)
    for url in (reverse("pep_detail", args=[pep.pk]), reverse("pep_quality", args=[pep.pk])):
        page = client.get(url).content.decode()
        assert "data-stored-pdf-missing" in page and "has not been made" in page, url
    home = client.get(reverse("home")).content.decode()
    assert "data-stored-pdf-missing-list" in home and reverse("pep_quality", args=[pep.pk]) in home
    # The family's pages do not carry the Virtual School's warning.
    assert "data-stored-pdf-missing" not in login(carer).get(reverse("pep_detail", args=[pep.pk])).content.decode()

    assert services.quality_catch_up() == (1, 0)
    client = login(vs_officer)
    assert "data-stored-pdf-missing" not in client.get(reverse("pep_detail", args=[pep.pk])).content.decode()
    assert "data-stored-pdf-missing-list" not in client.get(reverse("home")).content.decode()


def test_a_pep_approved_a_moment_ago_says_its_copy_is_being_made(world, vs_officer, login, media):
    pep = approved(world.child, minutes_ago=0)
    page = login(vs_officer).get(reverse("pep_detail", args=[pep.pk])).content.decode()
    assert "data-stored-pdf-making" in page and "data-stored-pdf-missing" not in page


def test_sqlite_is_configured_for_a_web_process_and_a_worker():
    from epep.settings.base import sqlite_for_web_and_worker

    options = sqlite_for_web_and_worker({"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"})["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    pragmas = [p.strip() for p in options["init_command"].split(";")]
    assert "PRAGMA journal_mode=WAL" in pragmas and "PRAGMA synchronous=NORMAL" in pragmas
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "epep"}
    assert sqlite_for_web_and_worker(dict(postgres)) == postgres
