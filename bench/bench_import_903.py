"""The SSDA903 import at the size of a large county: 5,000 children and 10,000 episodes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_imports .venv/bin/python bench/bench_import_903.py

Goal (issue 16): ≤ 30 s on PostgreSQL for the first import. Also timed: the same files
again (must change nothing and write no audit event), next year's files (every open time
in care gets one more episode, a tenth of the children leave care), and the DfE
validation rules (csc-validator-be-903) on the same files, which the page runs too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILDREN = 5_000
LA_CODE = "BENCH903"
ETHNIC = ["WBRI", "WOTH", "MWBC", "MWBA", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH", "REFU"]
LS = ["C1", "C2", "C2", "C2", "V2", "E1", "J1"]
PLACE = ["U1", "U3", "U4", "U6", "K2", "R1", "P1", "H5"]


def files(rng: random.Random):
    header, episodes = io.StringIO(), io.StringIO()
    h, e = csv.writer(header), csv.writer(episodes)
    h.writerow(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"])
    e.writerow(["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"])
    from children.upn import with_check_letter

    count = 0
    for i in range(CHILDREN):
        ref = f"B{i:06d}"
        dob = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randint(0, 5000))
        upn = with_check_letter(f"860{i:08d}{i % 10}") if i % 5 else f"UN{1 + i % 5}"
        h.writerow([ref, 1 + i % 2, f"{dob:%d/%m/%Y}", rng.choice(ETHNIC), upn, "", ""])
        start = max(dob + dt.timedelta(days=60), dt.date(2023, 4, 1)) + dt.timedelta(days=rng.randint(0, 300))
        middle = start + dt.timedelta(days=rng.randint(30, 300))
        e.writerow([ref, f"{start:%d/%m/%Y}", "S", rng.choice(LS), "N1", rng.choice(PLACE), "PR1",
                    f"{middle:%d/%m/%Y}", "X1", "CHANGE", "ST16 2LP", "ST17 4AA", f"SC{100000 + i % 900:06d}"])
        e.writerow([ref, f"{middle:%d/%m/%Y}", "P", rng.choice(LS), "N1", rng.choice(PLACE), "PR4", "", "", "",
                    "ST16 2LP", "ST18 9BB", f"SC{200000 + i % 900:06d}"])
        count += 2
    return header.getvalue().encode(), episodes.getvalue().encode(), count


def next_year(episodes: bytes, rng: random.Random) -> bytes:
    """Every open episode ends on 31 March; most go on in a new one, a tenth leave care."""
    rows = list(csv.reader(io.StringIO(episodes.decode())))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for number, row in enumerate(rows[1:]):
        if row[7]:
            writer.writerow(row)
            continue
        leaves = number % 20 == 1
        writer.writerow([*row[:7], "31/03/2025", "E11" if leaves else "X1", *row[9:]])
        if not leaves:
            writer.writerow([row[0], "31/03/2025", "L", "C2", "N1", "U1", "PR1", "", "", "", row[10], row[11],
                             row[12]])
    return out.getvalue().encode()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the goal is measured there)")
    from bench.pgdb import ensure_database

    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import LocalAuthority
    from children.models import Child
    from core.models import AuditEvent
    from imports import services
    from imports.validation import validate

    la, _ = LocalAuthority.objects.get_or_create(code=LA_CODE, defaults={"name": "Bench 903 Council"})
    Child.objects.filter(local_authority=la).delete()
    rng = random.Random(903)
    header, episodes, count = files(rng)
    print(f"files: {CHILDREN} children ({len(header) / 1024:.0f} KB), {count} episodes "
          f"({len(episodes) / 1024:.0f} KB)", flush=True)

    def timed(label, **kwargs):
        start = time.perf_counter()
        result = services.ssda903_import(actor=None, la=la, run_validator=False, **kwargs)
        seconds = time.perf_counter() - start
        print(f"{label:<42} {seconds:6.2f} s  {result.counts} problems={len(result.errors)}", flush=True)
        return result, seconds

    first, first_seconds = timed("first import", header=header, episodes=episodes)
    assert first.children_created == CHILDREN and first.episodes_added == count, first.counts
    events = AuditEvent.objects.count()
    again, _ = timed("the same files again", header=header, episodes=episodes)
    assert not again.changed and AuditEvent.objects.count() == events
    later, _ = timed("next year's files", header=header, episodes=next_year(episodes, rng))
    assert later.left_care > 0 and later.episodes_added > 0
    start = time.perf_counter()
    findings = validate({"header.csv": header, "episodes.csv": episodes})
    validation_seconds = time.perf_counter() - start
    print(f"{'DfE validation rules (csc-validator-be-903)':<42} {validation_seconds:6.2f} s  "
          f"{findings.get('counted')} findings, {findings.get('rules_run')} rules run {findings.get('error', '')}",
          flush=True)
    verdict = "under" if first_seconds <= 30 else "OVER"
    print(f"RESULT: {CHILDREN} children and {count} episodes imported in {first_seconds:.2f} s ({verdict} the 30 s "
          f"goal); with the DfE rules {first_seconds + validation_seconds:.2f} s", flush=True)


if __name__ == "__main__":
    main()
