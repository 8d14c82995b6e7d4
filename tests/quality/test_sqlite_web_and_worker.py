"""`make run`'s SQLite file shared by the web and a real Celery worker loses nothing (issue 12, point 6).

The scenario runs in a program of its own (tests/quality/sqlite_web_and_worker.py) against a
database file configured by the project's own settings, with a worker process on the
filesystem broker: only SQLite and the worker, so it runs in `make test`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def sqlite_run_env(workdir: Path) -> dict[str, str]:
    """The environment `make run` gives its processes, pointed at a database file under workdir."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER", "EPEP_TEST_EMAIL_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="epep.settings.local", EPEP_VAR_DIR=str(workdir),
               DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}", MFA_REQUIRED_FOR_STAFF="false",
               LOG_LEVEL="WARNING", PYTHONPATH=str(BASE_DIR))
    return env


def test_eight_browsers_and_the_worker_share_the_sqlite_file_without_errors(tmp_path):
    finished = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.quality.sqlite_web_and_worker", str(tmp_path)],
        cwd=BASE_DIR, env=sqlite_run_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-4000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["error_count"] == 0, result
    assert result["missing_pdfs"] == [], result
    assert result["journal_mode"] == "wal"
    # The browsers really did work while the worker rendered.
    assert result["counts"]["downloads"] >= 16 and result["counts"]["saves"] >= 1
