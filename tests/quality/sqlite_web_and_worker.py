"""A web process and a real Celery worker sharing one SQLite file, as `make run` runs them.

Run by tests/quality/test_sqlite_web_and_worker.py as a program of its own
(`python -m tests.quality.sqlite_web_and_worker WORKDIR`), because the point is the real
thing: a database *file* configured by the project's settings (epep.settings.local and the
SQLite options in epep/settings/base.py), which pytest-django's in-memory test database is
not, and a worker in another process (the filesystem broker under WORKDIR, as `make run`
uses when there is no Redis).

What it does: migrate and seed the demo into WORKDIR/db.sqlite3; start `celery worker`
(prefork, two children, like epep.runall); queue the stored PDFs of three approved PEPs
(what the quality-catch-up sweep does on a first run) and approve a submitted PEP (whose
stored PDF is then the worker's job); meanwhile eight threads, each a signed-in browser (a
Django test client), download PDFs (live renders of open PEPs, and approved PEPs whose copy
is not stored yet) and save sections. It writes WORKDIR/result.json: every error seen (a
500, an exception, a worker log line saying the database was locked or a task failed or was
retried) and which of the PEPs given to the worker still have no stored PDF.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

THREADS = 8
# Each thread makes at least this many rounds (one PDF download and one section save), and
# goes on until the worker has stored every PDF it was given.
MIN_ROUNDS = 2
# The browsers stop after this long whatever happened: the result then lists what is missing.
DEADLINE_SECONDS = 180
WORKER_LOG_PROBLEMS = ("database is locked", "OperationalError", "Traceback", "raised unexpected",
                       "Retry in", "ERROR")


def main(workdir: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from children.policies import relationship
    from peps.models import Pep, Section
    from peps.policies import can_edit_section
    from quality import services as quality
    from quality.tasks import render_approved_pdf

    assert connection.vendor == "sqlite" and not connection.is_in_memory_db(), settings.DATABASES
    # Eight browsers of one person would soon meet the per-person limit on PDF downloads
    # (where there is one), which is another question than this one: lift it here.
    if hasattr(quality, "PDF_DOWNLOADS_PER_MINUTE"):
        quality.PDF_DOWNLOADS_PER_MINUTE = 1_000_000
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    sw = User.objects.get(email="sw@demo.test")
    vs = User.objects.get(email="vs@demo.test")
    visible = [p for p in Pep.objects.select_related("child").order_by("pk") if relationship(sw, p.child)]
    open_peps = [p for p in visible if p.is_open]
    editable = [s for p in open_peps for s in p.sections.filter(letter="A") if can_edit_section(
        relationship(sw, p.child), s, p)]
    approved = [p for p in visible if p.status == Pep.Status.APPROVED and not p.approved_pdf]
    submitted = Pep.objects.filter(status=Pep.Status.SUBMITTED, child__local_authority=vs.local_authority).first()
    assert open_peps and editable and len(approved) >= 3 + THREADS and submitted, "the demo data changed"
    for_worker = [p.pk for p in approved[:3]]
    # Approved PEPs the browsers download before anything stored their copy: rendered in the request.
    for_browsers = [p.pk for p in approved[3:3 + THREADS]]
    connections.close_all()

    worker_log = workdir / "worker.log"
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "celery", "-A", "epep", "worker", "--loglevel=INFO", "--concurrency=2",
             "--without-gossip", "--without-mingle", "--hostname", f"sqlite-test-{os.getpid()}@%h"],
            stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    errors: list[str] = []
    counts = {"downloads": 0, "saves": 0, "conflicts": 0}
    lock = threading.Lock()
    stop = threading.Event()
    try:
        started = time.monotonic()
        while b" ready." not in worker_log.read_bytes():
            if worker.poll() is not None or time.monotonic() - started > 60:
                raise SystemExit("the Celery worker did not start:\n" + worker_log.read_text())
            time.sleep(0.2)

        def browser(n: int) -> None:
            client = Client()
            client.force_login(sw)
            section = editable[n % len(editable)]
            downloads = [open_peps[n % len(open_peps)].pk, for_browsers[n]]
            rounds = 0
            try:
                while not stop.is_set() and (rounds < MIN_ROUNDS or not done.is_set()):
                    pep_pk = downloads[(rounds + n) % 2]
                    try:
                        response = client.get(reverse("pep_pdf", args=[pep_pk]))
                        if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
                            raise AssertionError(f"status {response.status_code}")
                        with lock:
                            counts["downloads"] += 1
                    except Exception as exc:  # noqa: BLE001 - every failure is the result
                        with lock:
                            errors.append(f"browser {n}: PDF of PEP {pep_pk}: {type(exc).__name__}: {exc}")
                    try:
                        version = Section.objects.get(pk=section.pk).version
                        response = client.post(reverse("pep_section_edit", args=[section.pep_id, "A"]), {
                            "version": str(version), "action": "save",
                            "other_agencies": f"Saved by browser {n} in round {rounds}"})
                        if response.status_code not in (302, 409):
                            raise AssertionError(f"status {response.status_code}")
                        with lock:
                            counts["saves" if response.status_code == 302 else "conflicts"] += 1
                    except Exception as exc:  # noqa: BLE001
                        with lock:
                            errors.append(f"browser {n}: saving section A of PEP {section.pep_id}: "
                                          f"{type(exc).__name__}: {exc}")
                    rounds += 1
            finally:
                connections.close_all()

        def approve() -> None:
            # The Virtual School approves while the browsers work; the approval queues the task.
            time.sleep(1)
            try:
                criteria = quality.active_criteria(submitted.child.local_authority)
                quality.qa_review_record(actor=vs, pep=submitted, decision="approved", ratings=[
                    quality.RatingInput(criterion_id=c.pk, rating="green") for c in criteria])
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"approving PEP {submitted.pk}: {type(exc).__name__}: {exc}")
            finally:
                connections.close_all()

        def stored(pks: list[int]) -> set[int]:
            return set(Pep.objects.filter(pk__in=pks).exclude(approved_pdf="").values_list("pk", flat=True))

        done = threading.Event()
        for pk in for_worker:
            render_approved_pdf.delay(pk)
        threads = [threading.Thread(target=browser, args=(n,)) for n in range(THREADS)]
        threads.append(threading.Thread(target=approve))
        for t in threads:
            t.start()
        watched = [*for_worker, submitted.pk]
        load_started = time.monotonic()
        while time.monotonic() - load_started < DEADLINE_SECONDS and any(t.is_alive() for t in threads):
            if stored(watched) == set(watched):
                done.set()
            time.sleep(0.5)
        stop.set()
        for t in threads:
            # A round under way finishes; a thread stuck longer than that is an error too.
            t.join(timeout=max(1.0, load_started + DEADLINE_SECONDS + 120 - time.monotonic()))
        errors += [f"{t.name} still running after the deadline" for t in threads if t.is_alive()]
        # Let the worker finish (or log the failure of) whatever it holds.
        time.sleep(2)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    problems = [line for line in worker_log.read_text(errors="replace").splitlines()
                if any(word in line for word in WORKER_LOG_PROBLEMS)]
    errors += [f"worker: {line}" for line in problems]
    missing = sorted(set(watched) - stored(watched))
    result = {"errors": errors[:40], "error_count": len(errors), "missing_pdfs": missing, "counts": counts,
              "seconds": round(time.monotonic() - load_started, 1),
              "journal_mode": _journal_mode(), "approved": submitted.pk, "for_worker": for_worker}
    (workdir / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2), flush=True)
    # Threads still running would keep the process alive; the result is written.
    os._exit(0)


def _journal_mode() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
