"""Server time and queries of every GET page of the access matrix, for each role, on a cohort.

    .venv/bin/python bench/bench_pages.py                     # a scratch SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_pages .venv/bin/python bench/bench_pages.py
    BENCH_REPEATS=30 BENCH_CHILDREN=2000 .venv/bin/python bench/bench_pages.py

The cohort is the tests' world (Ruby, her team, the outsiders and another LA) grown in bulk by
tests/performance/pages.py: BENCH_CHILDREN children (500 by default) visible to every persona
but the young person, and Ruby with 30 old PEPs (meetings held, targets, PP+ requests, QA
reviews), 30 documents, cancelled meetings and targets on her open PEP, 30 attendance terms,
30 more team members and 30 audit events.

Each page (the list and detail pages tests/performance/test_query_counts.py holds to a fixed
number of queries) is requested by each of the six personas allowed it, with Django's test
client (the whole request: middleware, session, queries, template), 2 warm-up requests and
BENCH_REPEATS timed ones (20 by default), with the cache emptied before each so cached figures
do not hide their cost. A minimal signed-in page (the accessibility statement, which reads
nothing but the session and the person) is measured the same way in the same run, per persona;
each page's p50 is printed beside it as a ratio, and pages over 3× are flagged.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAG_RATIO = 3.0
MINIMAL_PAGE = "accessibility_statement"


def setup() -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        from bench.pgdb import ensure_database

        ensure_database(url)
        engine = "PostgreSQL"
    else:
        # A scratch file, never the development database.
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='epep-bench-')}/pages.sqlite3"
        engine = "SQLite"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return engine


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(client, url: str, data: dict, repeats: int) -> tuple[int, float, float, int]:
    """(status, p50 ms, p95 ms, queries) of one page for one signed-in client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        client.get(url, data)
    times = []
    for _ in range(repeats):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url, data)
        times.append((time.perf_counter() - started) * 1000)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, data)
    return response.status_code, statistics.median(times), percentile(times, 95), len(ctx.captured_queries)


def main() -> None:
    engine = setup()
    from django.db import transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from tests.access import OK
    from tests.conftest import build_world
    from tests.performance.pages import MANY, PAGES, PERSONAS, grow

    setup_test_environment()  # the test client's settings (ALLOWED_HOSTS, the in-memory email)
    repeats = int(os.environ.get("BENCH_REPEATS", "20"))
    children = int(os.environ.get("BENCH_CHILDREN", "500"))
    started = time.perf_counter()
    with transaction.atomic():
        world = build_world()
        grow(world, children=children, related=MANY)
    print(f"{engine}: cohort of {children} children built in {time.perf_counter() - started:.1f} s; "
          f"{repeats} timed requests per page and persona; load average {os.getloadavg()[0]:.2f}")

    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        clients[persona].force_login(world.people[persona])
    minimal = {p: measure(clients[p], reverse(MINIMAL_PAGE), {}, repeats) for p in PERSONAS}

    print(f"\n{'page':<34} {'persona':<19} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'× minimal':>9}")
    for persona in PERSONAS:
        status, p50, p95, queries = minimal[persona]
        print(f"{'(minimal: ' + MINIMAL_PAGE + ')':<34} {persona:<19} {status:>6} {p50:>8.1f} {p95:>8.1f} "
              f"{queries:>7} {1.0:>9.1f}")
    flagged = []
    for row in PAGES:
        # Whatever the row's kwargs make (a PEP, a meeting) is rolled back after the row, as in the
        # access matrix, so one row's objects never get in the next one's way.
        with transaction.atomic():
            url = reverse(row.name, kwargs=row.kwargs(world))
            data = row.data(world) if row.data else {}
            # The row's own PEP (when it made one) gets as many rows around it as Ruby has.
            grow(world, children=0, related=MANY)
            for persona in PERSONAS:
                if row.outcome(persona) != OK:
                    continue
                status, p50, p95, queries = measure(clients[persona], url, data, repeats)
                ratio = p50 / minimal[persona][1]
                flag = "  OVER 3×" if ratio > FLAG_RATIO else ""
                if flag:
                    flagged.append(f"{row.name} ({persona}) {ratio:.1f}×")
                print(f"{row.name:<34} {persona:<19} {status:>6} {p50:>8.1f} {p95:>8.1f} {queries:>7} "
                      f"{ratio:>9.1f}{flag}", flush=True)
            transaction.set_rollback(True)
    print(f"\nload average {os.getloadavg()[0]:.2f}; {len(flagged)} page/persona pairs over {FLAG_RATIO:g}× "
          f"the minimal signed-in page" + (":\n  " + "\n  ".join(flagged) if flagged else ""))


if __name__ == "__main__":
    main()
