"""What keeping the deadline status on write costs: 2,500 children, 15,000 PEPs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_quality .venv/bin/python bench/bench_deadline_status.py

Uses bench_dashboard's data set (built once), rolls the LA, then times, inside a transaction
that is rolled back as a failed write would be:
- one child's refresh (what an audited write to a care episode, placement, PEP or meeting adds
  to the writer's transaction: deadlines.status.on_write), 50 children;
- one LA's refresh (what a change of term dates or deadline settings adds), 5 times.
Printed with their query counts, beside the nightly roll of the LA.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_dashboard import build, percentile, setup  # noqa: E402


class _Rollback(Exception):
    pass


def _timed(fn) -> tuple[float, int]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    start = time.perf_counter()
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            fn()
            elapsed, count = time.perf_counter() - start, len(queries)
            raise _Rollback
    except _Rollback:
        pass
    return elapsed * 1000, count


def main() -> None:
    setup()
    build()
    from accounts.models import LocalAuthority
    from children.models import Child
    from deadlines import status

    la = LocalAuthority.objects.get(code="BENCH")
    start = time.perf_counter()
    status.roll(la_ids=[la.pk])
    roll_ms = (time.perf_counter() - start) * 1000
    ids = list(Child.objects.filter(local_authority=la).values_list("pk", flat=True))
    rng = random.Random(50)
    child = [_timed(lambda pk=pk: status.refresh(child_ids=[pk], local_authority_id=la.pk))
             for pk in rng.sample(ids, 50)]
    whole = [_timed(lambda: status.refresh(la_ids=[la.pk])) for _ in range(5)]
    times = [t for t, _q in child]
    print(f"one child's refresh (in the writer's transaction): p50 {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms, {max(q for _t, q in child)} queries")
    times = [t for t, _q in whole]
    print(f"one LA's refresh ({len(ids)} children; term dates, settings): p50 {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms, {max(q for _t, q in whole)} queries")
    print(f"the nightly roll of the LA: {roll_ms:.0f} ms")


if __name__ == "__main__":
    main()
