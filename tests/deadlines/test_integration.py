"""The daily deadline run with the real Redis and a real Celery worker (a subprocess).

Run with PostgreSQL and Redis, for example:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_deadlines REDIS_URL=redis://127.0.0.1:6379/5 \
    DJANGO_SETTINGS_MODULE=epep.settings.test .venv/bin/python -m pytest tests/deadlines -m integration

The worker uses the test database that pytest-django created (transactional_db, so it
sees committed rows) and writes its email to files in a temporary directory
(EPEP_TEST_EMAIL_DIR), which is what these tests count.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from core.models import AuditEvent, Outbox
from core.notifications import outbox_enqueue
from core.tasks import outbox_sweep
from deadlines import services
from deadlines.models import Notice
from deadlines.tasks import flag_overdue
from epep.celery import app
from peps.demo import save_answers
from peps.models import Pep, Section

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TODAY = "2026-11-23"
# What the world fixture's run sends: five digests (the two children's social workers and
# designated teachers, and the Virtual School officer) and one "became overdue" email.
EMAILS_PER_RUN = 6
NOTICES_PER_RUN = 7
CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"


LOGS: list[Path] = []


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tail = "".join(line for log in LOGS if log.exists() for line in log.read_text().splitlines(True)[-30:])
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; the worker's log ends:\n{tail}")


def emails_in(directory: Path) -> list[str]:
    """The To: line of every message the worker's file-based backend wrote."""
    found: list[str] = []
    for path in sorted(directory.glob("*.log")):
        found.extend(re.findall(r"^To: (.+)$", path.read_text(), flags=re.MULTILINE))
    return found


class Worker:
    """`celery -A epep worker` as a subprocess in its own process group."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        offset = self.log.stat().st_size if self.log.exists() else 0
        handle = self.log.open("a")
        self.proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "celery", "-A", "epep", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"deadlines-test-{os.getpid()}@%h"],
            cwd=settings.BASE_DIR, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: "ready." in self.log.read_text()[offset:], timeout=30, what="the worker to start")
        return self

    def pool_children(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool, no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """A cold shutdown (SIGQUIT): the tests are over, nothing is left running."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _clear_celery_keys(client) -> None:
    """Empty the default queue and Redis' record of unacknowledged messages (only Celery's
    keys: the Redis database may be shared)."""
    keys = ["celery", "unacked", "unacked_index", "unacked_mutex", *client.keys("_kombu.binding.*")]
    client.delete(*keys)


@pytest.fixture
def broker(redis_client):
    """The live Redis, without leftover messages, and the web side sending to it for real."""
    _clear_celery_keys(redis_client)
    eager, url = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    yield redis_client
    app.conf.task_always_eager, app.conf.broker_url = eager, url
    _clear_celery_keys(redis_client)


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def worker_factory(postgres, broker, mail_dir, tmp_path):
    db = connection.settings_dict
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "epep.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
        "EPEP_TEST_EMAIL_DIR": str(mail_dir),
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
    }
    started: list[Worker] = []

    def make(**extra: str) -> Worker:
        worker = Worker({**base_env, **extra}, tmp_path / "worker.log")
        LOGS[:] = [worker.log]
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


def audit_runs() -> int:
    return AuditEvent.objects.filter(object_type="timeliness.flag_overdue").count()


def test_the_daily_task_flags_and_emails_once_even_when_run_twice(world, worker_factory, mail_dir):
    worker_factory().start()
    flag_overdue.apply_async(kwargs={"today": TODAY})
    wait_for(lambda: len(emails_in(mail_dir)) >= EMAILS_PER_RUN, what="the digests to be sent")
    assert Notice.objects.count() == NOTICES_PER_RUN

    flag_overdue.apply_async(kwargs={"today": TODAY})
    wait_for(lambda: audit_runs() == 2, what="the second run")
    outbox_sweep.apply_async()
    time.sleep(1.5)  # Give a wrongly queued second email every chance to arrive.
    sent = emails_in(mail_dir)
    assert len(sent) == EMAILS_PER_RUN
    assert len(set(sent)) == 5  # five people; the Virtual School officer has two emails
    assert Notice.objects.count() == NOTICES_PER_RUN
    assert Outbox.objects.filter(sent_at__isnull=True).count() == 0


def _lock_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted",
                       [services.FLAG_OVERDUE_LOCK])
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_task_and_restarted_completes_the_task_once(world, worker_factory, mail_dir):
    # The run pauses for 3 s inside its transaction; Redis hands an unacknowledged message
    # back after 5 s, and the restarted worker looks for such messages every second.
    worker = worker_factory(EPEP_FLAG_OVERDUE_PAUSE="3", CELERY_VISIBILITY_TIMEOUT="5",
                            CELERY_UNACKED_RESTORE_INTERVAL="1", CELERY_UNACKED_RESTORE_THROTTLE="1").start()
    flag_overdue.apply_async(kwargs={"today": TODAY})
    wait_for(_lock_held, what="the run to be inside its transaction")
    worker.kill()
    # Nothing of the killed run was committed.
    assert (Notice.objects.count(), Outbox.objects.count(), audit_runs()) == (0, 0, 0)
    worker.start()
    wait_for(lambda: audit_runs() == 1, timeout=40, what="the redelivered run")
    wait_for(lambda: len(emails_in(mail_dir)) >= EMAILS_PER_RUN, what="the digests")
    time.sleep(1.5)
    assert len(emails_in(mail_dir)) == EMAILS_PER_RUN
    assert (Notice.objects.count(), audit_runs()) == (NOTICES_PER_RUN, 1)


def test_a_pool_process_killed_mid_task_is_rejected_and_the_task_runs_once(world, worker_factory, mail_dir):
    # reject_on_worker_lost: the main worker process sees its child die and puts the
    # message back at once; the new child runs it again.
    worker = worker_factory(EPEP_FLAG_OVERDUE_PAUSE="2").start()
    flag_overdue.apply_async(kwargs={"today": TODAY})
    wait_for(_lock_held, what="the run to be inside its transaction")
    [child] = worker.pool_children()
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: audit_runs() == 1, timeout=40, what="the requeued run")
    wait_for(lambda: len(emails_in(mail_dir)) >= EMAILS_PER_RUN, what="the digests")
    time.sleep(1.5)
    assert len(emails_in(mail_dir)) == EMAILS_PER_RUN
    assert "WorkerLostError" in worker.log.read_text()


def _save_section_and_notify(section: Section, actor) -> None:
    """A section save through peps.services.sections.section_save, with its notification written to
    the outbox in the same transaction (as every email of the portal should be)."""
    with transaction.atomic():
        saved = save_answers(actor=actor, section=section, answers={}, version=section.version)
        outbox_enqueue(to="dt@example.test", subject=f"Section {saved.letter} of a PEP was updated",
                       body="See the PEP.", dedupe_key=f"section-saved:{saved.pk}:{saved.version}")


def test_with_the_broker_down_a_section_save_is_quick_and_its_email_goes_once_redis_is_back(
        world, worker_factory, mail_dir):
    worker_factory().start()  # The worker is up; the web side cannot reach the broker.
    pep = Pep.objects.create(child=world.child, kind=Pep.Kind.TERMLY, phase="school_age", academic_year="2026/27",
                             term="autumn")
    section = Section.objects.create(pep=pep, letter="B", title="Education", editor_roles=["designated_teacher"])
    app.conf.broker_url = CLOSED_PORT_BROKER

    started = time.monotonic()
    _save_section_and_notify(section, None)  # on_commit runs here too
    elapsed = time.monotonic() - started

    assert elapsed < 1.0, f"the save took {elapsed:.2f} s"
    section.refresh_from_db()
    assert section.version == 1
    row = Outbox.objects.get()
    assert row.sent_at is None and emails_in(mail_dir) == []

    app.conf.broker_url = os.environ["REDIS_URL"]
    outbox_sweep.apply_async()
    wait_for(lambda: emails_in(mail_dir), what="the swept email")
    outbox_sweep.apply_async()
    time.sleep(1.5)
    assert emails_in(mail_dir) == ["dt@example.test"]
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
