"""Faults, with the real servers: the portal keeps working, and nothing is lost.

Issue 8 asks the integration suite to prove four things. Where each one lives:

1. Redis down -> the portal keeps working: here, `test_with_redis_down_*` (including a
   PEP approved while it is down, whose stored PDF the catch-up sweep renders later). A redis-server
   of the test's own (on a free port, no persistence) is the cache (epep.cache.
   FailSoftRedisCache, as in production) and the Celery broker; it is killed, a person
   signs in through allauth (its rate limiter uses the cache) and works; then it is
   started again and the cache is used again. The shared Redis is not touched.
   tests/security/test_fail_soft_cache.py has the unit tests of the cache itself, and
   tests/deadlines/test_integration.py::test_with_the_broker_down_a_section_save_is_quick_
   and_its_email_goes_once_redis_is_back proves the broker half: the email waits in the
   outbox and goes once.
2. A worker killed mid-task -> the task completes once: tests/deadlines/
   test_integration.py::test_a_worker_killed_mid_task_and_restarted_completes_the_task_once
   (SIGKILL of the whole worker while the run holds its lock inside its transaction;
   nothing committed; the restarted worker gets the message back and the audit, notices
   and emails show exactly one run) and ::test_a_pool_process_killed_mid_task_is_rejected_
   and_the_task_runs_once (the same with only the pool process killed).
3. PostgreSQL restarted -> the next requests succeed: here,
   `test_after_a_postgresql_restart_the_next_requests_succeed`. It really restarts the
   local cluster (pg_ctlcluster), which cuts every connection on the machine for a second
   or two: do not run it in a loop.
4. Concurrent saves of one section under load -> every accepted save is in the audit log
   and none is silently lost: here, `test_concurrent_saves_under_load_lose_nothing`
   (tests/peps/test_concurrent_saves.py has the two-browser conflict page).

Run with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_faults REDIS_URL=redis://127.0.0.1:6379/6 \
    DJANGO_SETTINGS_MODULE=epep.settings.test .venv/bin/python -m pytest tests/integration/test_faults.py -q
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
import redis
from django.core.cache import cache
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from epep.cache import FailSoftRedisCache
from epep.celery import app
from peps.demo import save_answers
from peps.models import Section
from peps.services.sections import SectionConflict
from tests.factories import PASSWORD
from tests.peps.factories import start_pep
from tests.security.helpers import activate_totp, sign_in, totp_code

pytestmark = pytest.mark.integration

# Not hanging is the point, not speed: a request that waited on a dead Redis would take
# many seconds (redis-py's default has no timeout at all).
QUICK = 2.0


# --------------------------------------------------------------------------------------
# 1. Redis down
# --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, with no persistence, that can be killed."""

    def __init__(self, log: Path):
        binary = shutil.which("redis-server")
        assert binary, "the Redis fault test needs redis-server (apt-get install redis-server)"
        self.binary, self.log = binary, log
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"redis-server did not start:\n{self.log.read_text()}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        with pytest.raises(redis.ConnectionError):
            self.client().ping()


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis.log")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def portal_on_own_redis(own_redis, settings, monkeypatch):
    """The production cache and the Celery broker on `own_redis`, tasks really published.

    A failed cache call is not retried for a second (production: five), so that the test
    sees the cache come back quickly.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "epep.cache.FailSoftRedisCache",
            "LOCATION": own_redis.url(0),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    monkeypatch.setattr(FailSoftRedisCache, "RETRY_AFTER", 1.0)
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, own_redis.url(1)
    yield own_redis
    app.conf.task_always_eager, app.conf.broker_url = eager, broker


def _quick(what: str, call):
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 302), f"{what}: {response.status_code}"
    assert elapsed < QUICK, f"{what} took {elapsed:.2f} s"
    return response


def _rate_limit_keys(server: OwnRedis) -> list[bytes]:
    return [k for k in server.client().keys("*") if b"allauth" in k]


def test_with_redis_down_a_person_signs_in_and_saves_a_section(world, postgres, portal_on_own_redis, caplog):
    server = portal_on_own_redis
    person = world.people["social_worker"]
    pep = start_pep(world.child)
    # With Redis up, signing in goes through allauth's limiter, which keeps its counts in
    # this Redis: what follows really takes the cache away from it.
    assert Client().post(reverse("account_login"), {"login": person.email, "password": PASSWORD}).status_code == 302
    assert _rate_limit_keys(server)

    server.kill()
    client = Client()
    edit = reverse("pep_section_edit", args=[pep.pk, "A"])
    with caplog.at_level(logging.INFO, logger="epep.security"):
        _quick("the sign-in page", lambda: client.get(reverse("account_login")))
        signed_in = _quick("signing in", lambda: client.post(reverse("account_login"),
                                                              {"login": person.email, "password": PASSWORD}))
        assert signed_in.status_code == 302 and signed_in.url == reverse("home")
        _quick("the home page", lambda: client.get(reverse("home")))
        _quick("the child's page", lambda: client.get(reverse("child_detail", args=[world.child.pk])))
        _quick("the PEP", lambda: client.get(reverse("pep_detail", args=[pep.pk])))
        _quick("the section form", lambda: client.get(edit))
        saved = _quick("saving the section", lambda: client.post(
            edit, {"version": "0", "action": "save", "other_agencies": "Saved while Redis was down"}))
        assert saved.status_code == 302
        _quick("the PEP after saving", lambda: client.get(reverse("pep_detail", args=[pep.pk])))
    section = Section.objects.get(pep=pep, letter="A")
    assert section.version == 1 and section.data["other_agencies"] == "Saved while Redis was down"
    # The cache was asked and found Redis gone (said once, not once a call).
    down = [r for r in caplog.records if getattr(r, "event", "") == "cache_unavailable"]
    assert len(down) == 1

    server.start()
    time.sleep(FailSoftRedisCache.RETRY_AFTER + 0.1)
    with caplog.at_level(logging.INFO, logger="epep.security"):
        _quick("signing in with Redis back", lambda: Client().post(
            reverse("account_login"), {"login": person.email, "password": PASSWORD}))
    assert _rate_limit_keys(server), "the limiter should count in Redis again"
    assert any(getattr(r, "event", "") == "cache_recovered" for r in caplog.records)
    cache.set("faults:back", "yes", 30)
    assert cache.get("faults:back") == "yes"


def test_with_redis_down_a_person_with_an_authenticator_app_signs_in(world, postgres, portal_on_own_redis):
    # allauth remembers used TOTP codes with cache.add; with Redis down the code is still
    # accepted (replay protection is what is lost, until Redis is back).
    server = portal_on_own_redis
    person = world.people["designated_teacher"]
    setup = Client()
    sign_in(setup, person.email)  # a real sign-in: setting up an authenticator needs a recent one
    secret = activate_totp(setup)

    server.kill()
    client = Client()
    first = _quick("signing in", lambda: client.post(reverse("account_login"),
                                                     {"login": person.email, "password": PASSWORD}))
    assert first.status_code == 302 and "2fa" in first.url
    second = _quick("the authenticator code", lambda: client.post(first.url, {"code": totp_code(secret)}))
    assert second.status_code == 302 and second.url == reverse("home")
    home = _quick("the home page", lambda: client.get(reverse("home")))
    assert home.wsgi_request.user == person


def test_with_redis_down_the_virtual_school_approves_and_the_pdf_follows_when_it_is_back(
        world, postgres, portal_on_own_redis, settings, tmp_path):
    # Approving queues the stored PDF's rendering after commit. With the broker gone the
    # request must still succeed quickly; the quality-catch-up sweep renders it later.
    import datetime as dt

    from django.utils import timezone

    from peps.models import Pep
    from quality import services as quality
    from tests.quality.factories import submitted_pep
    from tests.quality.test_qa import form_data

    settings.MEDIA_ROOT = tmp_path
    server = portal_on_own_redis
    pep = submitted_pep(world.child)
    server.kill()
    client = Client()
    client.force_login(world.people["vs_officer"])
    approved = _quick("approving through the QA review",
                      lambda: client.post(reverse("qa_review", args=[pep.pk]),
                                          # Past the check-your-answers page (issue 14).
                                          {**form_data(world.la), "confirm": "approve"}))
    assert approved.status_code == 302
    pep.refresh_from_db()
    assert pep.status == Pep.Status.APPROVED and not pep.approved_pdf

    server.start()
    rendered, _exports = quality.quality_catch_up(now=timezone.now() + dt.timedelta(minutes=5))
    pep.refresh_from_db()
    assert rendered == 1 and pep.approved_pdf and pep.approved_pdf_sha256


# --------------------------------------------------------------------------------------
# 3. PostgreSQL restarted
# --------------------------------------------------------------------------------------


def _cluster_version() -> str:
    versions = sorted((p.name for p in Path("/etc/postgresql").iterdir() if p.name.isdigit()), key=int)
    assert versions, "no PostgreSQL cluster under /etc/postgresql"
    return versions[-1]


def _accepts_connections(db: dict) -> bool:
    try:
        psycopg2.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         dbname=db["NAME"], connect_timeout=1).close()
    except psycopg2.OperationalError:
        return False
    return True


def _restart_postgresql(db: dict) -> float:
    """Restart the local cluster for real; returns how long it took to accept connections."""
    ctl = shutil.which("pg_ctlcluster")
    assert ctl, "the restart test needs pg_ctlcluster (Debian's postgresql-common)"
    started = time.monotonic()
    cmd = [ctl, "--skip-systemctl-redirect", _cluster_version(), "main"]
    try:
        subprocess.run([*cmd, "restart"], check=True, timeout=60, capture_output=True)  # noqa: S603
        deadline = time.monotonic() + 30
        while not _accepts_connections(db):
            assert time.monotonic() < deadline, "PostgreSQL did not come back within 30 s"
            time.sleep(0.1)
    finally:
        # Whatever happened, leave the machine's PostgreSQL running for everyone else.
        if not _accepts_connections(db):
            subprocess.run([*cmd, "start"], check=False, timeout=60, capture_output=True)  # noqa: S603
    return time.monotonic() - started


def _request(client: Client, method: str, url: str, data: dict | None = None):
    """A request as production runs it. Django's request_started signal calls
    close_old_connections, which readies the health check (CONN_HEALTH_CHECKS) of a
    reused connection; the test client switches that signal off, so call it here."""
    close_old_connections()
    return getattr(client, method)(url, data or {})


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_after_a_postgresql_restart_the_next_requests_succeed(world, postgres):
    db = connection.settings_dict
    assert (db["HOST"] or "127.0.0.1") in ("127.0.0.1", "localhost"), "only the local cluster can be restarted"
    # The settings that make this work: a reused connection, checked before reuse.
    assert db["CONN_MAX_AGE"] > 0 and db["CONN_HEALTH_CHECKS"] is True
    pep = start_pep(world.child)
    client = Client()
    client.force_login(world.people["social_worker"])
    child_page = reverse("child_detail", args=[world.child.pk])
    assert _request(client, "get", child_page).status_code == 200
    before = _backend_pid()

    took = _restart_postgresql(db)
    # The portal's persistent connection was cut by the restart...
    assert not connection.is_usable()
    # ...and the next requests, reading and writing, succeed on a new one.
    assert _request(client, "get", child_page).status_code == 200
    assert _backend_pid() != before
    edit = reverse("pep_section_edit", args=[pep.pk, "A"])
    response = _request(client, "post", edit, {"version": "0", "action": "save", "other_agencies": "After the restart"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _request(client, "get", reverse("pep_detail", args=[pep.pk])).status_code == 200
    assert Section.objects.get(pep=pep, letter="A").data["other_agencies"] == "After the restart"
    assert took < 30


# --------------------------------------------------------------------------------------
# 4. Concurrent saves of one section under load
# --------------------------------------------------------------------------------------

PEOPLE = 8
SAVES_EACH = 5
MAX_ATTEMPTS = 200  # per save; a conflict means someone else saved, so this is never reached


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_under_load_lose_nothing(world, postgres):
    """Eight people each save one section five times at once, each on their own database
    connection. A refused save is retried with the version the conflict reports (what the
    conflict page offers). Every accepted save is in the audit log once, the stored text
    is the last accepted one, and every other attempt was refused with the conflict."""
    pep = start_pep(world.child)
    section = Section.objects.get(pep=pep, letter="A")
    initial = section.version
    actor = world.people["social_worker"]
    barrier = threading.Barrier(PEOPLE)
    accepted: list[tuple[str, int, int]] = []  # (text, version sent, version after)
    refused: list[tuple[str, int, int]] = []  # (text, version sent, version reported)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def person(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for k in range(SAVES_EACH):
                version = Section.objects.get(pk=section.pk).version  # opens the form
                for attempt in range(MAX_ATTEMPTS):
                    text = f"Person {n}, save {k}, attempt {attempt}"
                    try:
                        saved = save_answers(actor=actor, section=section, answers={"other_agencies": text},
                                             version=version)
                    except SectionConflict as conflict:
                        with lock:
                            refused.append((text, version, conflict.theirs.version))
                        version = conflict.theirs.version
                        continue
                    with lock:
                        accepted.append((text, version, saved.version))
                    break
                else:
                    raise AssertionError(f"person {n} could not save after {MAX_ATTEMPTS} conflicts")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(PEOPLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a saving thread hung"
    assert not errors, errors

    n = PEOPLE * SAVES_EACH
    assert len(accepted) == n
    assert refused, "no save met a conflict: the saves did not overlap"
    # Each accepted save moved the version on by one, and no two from the same version.
    assert sorted((sent, after) for _, sent, after in accepted) == [(v, v + 1) for v in range(initial, initial + n)]
    # Each refused save was refused because someone else had saved since.
    assert all(reported > sent for _, sent, reported in refused)

    events = AuditEvent.objects.filter(object_type="peps.section", object_id=str(section.pk),
                                       verb=AuditEvent.Verb.UPDATED)
    audited = Counter((e.changes["other_agencies"][1], tuple(e.changes["version"])) for e in events)
    assert audited == Counter((text, (sent, after)) for text, sent, after in accepted)
    refused_texts = {text for text, _, _ in refused}
    assert not refused_texts & {text for text, _ in audited}, "a refused save was written"

    section.refresh_from_db()
    last = max(accepted, key=lambda a: a[2])
    assert section.version == initial + n
    assert section.data["other_agencies"] == last[0]
