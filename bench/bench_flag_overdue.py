"""Time the daily deadline run (`flag_overdue`) over national-scale data on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_bench .venv/bin/python bench/generate_national.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_bench .venv/bin/python bench/bench_flag_overdue.py

Goal: under 2 s for the whole of England (85,000 children in 153 LAs), reading the kept
deadline status (deadlines.status). Reports, for the generator's date (Monday 23 November
2026):

- the engine alone (every child's current deadlines, all LAs): time and queries;
- the nightly roll (every LA's kept status recomputed for the day) and the drift check;
- a first morning's run: notices and outbox rows written in one transaction;
- a second run the same morning (finds everything already sent, writes nothing new);
- the next morning's run: every digest again, but "became overdue" notices only for the
  deadlines that became overdue overnight. This is the daily cost; the first run above
  is the one-off cost of switching the service on, when every overdue deadline is new.

Email delivery is a separate Celery task and is not timed: the run only writes outbox
rows, so publishing the delivery task after commit is switched off here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from generate_national import TODAY, setup


def timed(fn, repeat: int = 1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, result, queries = [], None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return result, times, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="times to run the engine alone")
    args = parser.parse_args()
    setup()

    from children.models import CareEpisode
    from core import notifications as outbox
    from core.models import Outbox
    from deadlines import services
    from deadlines.engine import compute_deadlines
    from deadlines.models import Notice
    from peps.models import Pep

    outbox.kick_delivery = lambda: True  # Delivery is another task; see the docstring.
    Notice.objects.all().delete()
    Outbox.objects.all().delete()
    print(f"Data: {CareEpisode.objects.filter(left_care_on__isnull=True).count():,} children in care, "
          f"{Pep.objects.count():,} PEPs")

    rows, times, queries = timed(lambda: compute_deadlines(today=TODAY), repeat=args.repeat)
    print(f"Engine alone: {len(rows):,} deadlines in {statistics.median(times):.2f} s "
          f"(median of {len(times)}; {', '.join(f'{t:.2f}' for t in times)}), {queries} queries")
    by_status: dict[str, int] = {}
    for d in rows:
        by_status[d.status] = by_status.get(d.status, 0) + 1
    print("  by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_status.items())))

    from deadlines import status

    # The nightly roll (deadlines.status.nightly, before the morning's run): every LA's kept
    # deadline status recomputed for the day. flag_overdue then reads the table.
    rolled, [t0], q0 = timed(lambda: status.roll(today=TODAY))
    print(f"nightly roll of the kept deadline status: {rolled.rows:,} rows for {rolled.local_authorities} LAs "
          f"in {t0:.2f} s, {q0} queries")
    drifted, [td], _qd = timed(lambda: status.drift())
    print(f"drift check (every LA recomputed and compared): {len(drifted)} LAs differ, {td:.2f} s")

    first, [t1], q1 = timed(lambda: services.flag_overdue(today=TODAY))
    print(f"flag_overdue, first run: {t1:.2f} s, {q1} queries; {first.overdue:,} overdue, {first.due_soon:,} due "
          f"soon; {first.digests:,} digests and {first.overdue_notices:,} overdue notices "
          f"({Outbox.objects.count():,} emails queued)")
    second, [t2], q2 = timed(lambda: services.flag_overdue(today=TODAY))
    print(f"flag_overdue, second run the same day: {t2:.2f} s, {q2} queries; "
          f"{second.digests} digests and {second.overdue_notices} overdue notices")
    next_day = TODAY + dt.timedelta(days=1)
    rolled, [t4], _q4 = timed(lambda: status.roll(today=next_day))
    print(f"nightly roll to {next_day}: {t4:.2f} s")
    third, [t3], q3 = timed(lambda: services.flag_overdue(today=next_day))
    print(f"flag_overdue, the next morning ({next_day}): {t3:.2f} s, {q3} queries; {third.digests:,} digests and "
          f"{third.overdue_notices:,} overdue notices")
    print(f"Goal under 2 s for a morning's run: {'met' if t3 < 2 else 'NOT met'} "
          f"(first-ever run {'met' if t1 < 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
