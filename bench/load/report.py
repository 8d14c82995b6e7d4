"""Print the load test's figures: per page and overall, requests/s, p50, p95, p99, max and failures.

    .venv/bin/python bench/load/report.py var/bench/load/users100_requests.csv [var/bench/load/users100_failures.csv]

Reads the per-request log the locustfile writes (LOAD_REQUEST_LOG) and gives exact
percentiles twice: over the whole run, and over the steady state (requests that started
after the last person finished signing in, so without the ramp-up and its password hashes).
Exits 1 when any request failed.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

SIGN_IN = "sign in:"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def table(title: str, rows: list[dict]) -> None:
    if not rows:
        print(f"{title}: no requests")
        return
    start = min(r["start"] for r in rows)
    end = max(r["start"] + r["ms"] / 1000 for r in rows)
    seconds = max(end - start, 1e-9)
    print(f"{title} ({seconds:.0f} s)")
    print(f"  {'page':<22} {'requests':>8} {'fails':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  (ms)")
    by_name: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_name[r["name"]].append(r)
    for name, group in [*sorted(by_name.items()), ("OVERALL", rows)]:
        times = [r["ms"] for r in group]
        fails = sum(1 for r in group if not r["ok"])
        print(f"  {name:<22} {len(group):>8} {fails:>6} {len(group) / seconds:>7.2f} {percentile(times, 50):>6.0f} "
              f"{percentile(times, 95):>6.0f} {percentile(times, 99):>6.0f} {max(times):>7.0f}")


def main(requests_path: str, failures_path: str | None = None) -> int:
    rows = [{"start": float(r["start"]), "name": r["name"], "ms": float(r["ms"]), "ok": r["ok"] == "1"}
            for r in csv.DictReader(Path(requests_path).open())]
    table("Whole run", rows)
    signed_in = max((r["start"] for r in rows if r["name"].startswith(SIGN_IN)), default=0.0)
    table("Steady state, after the last sign-in", [r for r in rows if r["start"] > signed_in])
    failed = sum(1 for r in rows if not r["ok"])
    if failures_path and Path(failures_path).exists():
        for r in csv.DictReader(Path(failures_path).open()):
            print(f"failure: {r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}")
    print(f"{failed} failed of {len(rows)} requests")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
