"""Sample the CPU of the load generator and of the server while a load test runs.

    .venv/bin/python bench/load/cpu_sample.py --generator <locust pid> --server <gunicorn pid> \
        [--interval 1] [--csv var/bench/load/cpu.csv]

Reads /proc/<pid>/stat (user + system ticks) of each process and all its descendants (the
gunicorn workers, which come and go with --max-requests) every interval, until the generator
has exited, then prints each side's CPU as a share of one core: the mean over the run and the
busiest 10 s. A generator above ~80% of a core is saturated: it sends late and measures late,
so the figures are the generator's, not the server's, and the summary says so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
SATURATED = 0.80  # of one core
WINDOW = 10  # seconds, for the busiest stretch


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system ticks) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _tree_ticks(root: int) -> dict[int, int]:
    """Ticks of the root process and every descendant, by pid."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                parents[int(entry)], ticks[int(entry)] = stat
    if root not in ticks:
        return {}
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return {pid: ticks[pid] for pid in tree}


class Side:
    """One side's CPU: the ticks each process used since it was first seen."""

    def __init__(self, root: int):
        self.root = root
        self.seen: dict[int, int] = {}
        self.samples: list[tuple[float, float]] = []  # (time, cumulative CPU seconds)
        self.total = 0.0

    def sample(self, now: float) -> None:
        for pid, ticks in _tree_ticks(self.root).items():
            self.total += (ticks - self.seen.get(pid, ticks)) / TICKS
            self.seen[pid] = ticks
        self.samples.append((now, self.total))

    def mean(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, c0), (t1, c1) = self.samples[0], self.samples[-1]
        return (c1 - c0) / max(t1 - t0, 1e-9)

    def busiest(self) -> float:
        best = 0.0
        for i, (t0, c0) in enumerate(self.samples):
            for t1, c1 in self.samples[i + 1:]:
                if t1 - t0 >= WINDOW:
                    best = max(best, (c1 - c0) / (t1 - t0))
                    break
        return best or self.mean()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", type=int, required=True, help="the load generator's pid (locust)")
    parser.add_argument("--server", type=int, required=True, help="the server's pid (the gunicorn master)")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--csv", help="write every sample here")
    args = parser.parse_args(argv)

    generator, server = Side(args.generator), Side(args.server)
    rows = []
    started = time.monotonic()
    while _stat(args.generator) is not None:
        now = time.monotonic() - started
        generator.sample(now)
        server.sample(now)
        rows.append((now, generator.total, server.total))
        time.sleep(args.interval)
    if args.csv:
        with open(args.csv, "w") as out:
            out.write("seconds,generator_cpu_s,server_cpu_s\n")
            out.writelines(f"{t:.1f},{g:.2f},{s:.2f}\n" for t, g, s in rows)

    cores = os.cpu_count() or 1
    print(f"CPU over {rows[-1][0] if rows else 0:.0f} s on {cores} CPUs (share of one core; mean, busiest {WINDOW} s):")
    print(f"  load generator (locust):   {generator.mean():6.0%}  {generator.busiest():6.0%}")
    print(f"  server (gunicorn workers): {server.mean():6.0%}  {server.busiest():6.0%}")
    if max(generator.mean(), generator.busiest()) > SATURATED:
        print(f"WARNING: the load generator used more than {SATURATED:.0%} of a core: it was saturated, so "
              f"its response times and request rate describe the generator, not the server. Run locust "
              f"with fewer users or on another machine (or with --processes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
