"""How long the children CSV import takes for 2,000 children (goal: under 30 s on SQLite).

    .venv/bin/python bench/import_children.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_children .venv/bin/python bench/import_children.py

Runs once on a fresh SQLite database (the default engine; a scratch file, not your
development database) and, when DATABASE_URL names a PostgreSQL database, once more
there (created if missing, migrated, the benchmark's LA emptied first). Each run creates
one LA with 150 schools (a designated teacher each), 60 social workers and 1,500 carers,
writes a 2,000-row CSV file (to var/bench/children_2000.csv) and times, through
children.services.children_import:

1. the first import (2,000 new children with episodes, placements, links, grants, audit);
2. the same file again (must change nothing);
3. the file with 200 children moved to another school (ends and starts placements);
4. the file a school year later: nearly every child's year group one higher.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.roles import Role

ROOT = Path(__file__).resolve().parent.parent
CHILDREN = 2_000
SCHOOLS = 150
SOCIAL_WORKERS = 60
CARERS = 1_500
MOVED = 200
LA_CODE = "BENCHIMP"


def main() -> None:
    """Run the measurement in a fresh process per database, so each gets its own settings."""
    targets = [("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='epep-bench-')}/bench.sqlite3")]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        targets.append(("PostgreSQL", url))
    for label, database_url in targets:
        print(f"== {label} ==", flush=True)
        env = dict(os.environ, DATABASE_URL=database_url, EPEP_BENCH_WORKER="1")
        subprocess.run([sys.executable, __file__], env=env, check=True)  # noqa: S603 - this very script


def worker() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.test")
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        from bench.pgdb import ensure_database

        ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)

    from django.db import connection

    from children import services
    from children.models import Child

    la, rows = build()
    path = ROOT / "var" / "bench" / "children_2000.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = to_csv(rows)
    path.write_bytes(data)
    print(f"file: {path} ({len(data) / 1024:.0f} KB, {len(rows)} rows)", flush=True)

    def timed(label: str, payload: bytes):
        start = time.perf_counter()
        result = services.children_import(actor=None, la=la, data=payload)
        seconds = time.perf_counter() - start
        assert result.ok, result.errors[:5]
        print(f"{label:<34} {seconds:6.2f} s   {result.counts}", flush=True)
        return result, seconds

    first, first_seconds = timed(f"import {CHILDREN} new children", data)
    assert first.children_created == CHILDREN
    again, _ = timed("re-import the same file", data)
    assert not again.changed
    for row in rows[:MOVED]:
        row["school_urn"] = _other_school(row["school_urn"])
        row["school_started_on"] = "2026-09-02"
        row["designated_teacher_email"] = f"bench-dt{int(row['school_urn'][1:])}@example.test"
    moved, _ = timed(f"import with {MOVED} changes of school", to_csv(rows))
    assert moved.placements_started == MOVED
    # September: every child moves up a year (Year 13 leavers are left as they are).
    for row in rows:
        if int(row["year_group"]) < 13:
            row["year_group"] = str(int(row["year_group"]) + 1)
    year, _ = timed("import with every year group +1", to_csv(rows))
    assert year.placements_updated > CHILDREN * 0.9
    print(f"children in the LA: {Child.objects.filter(local_authority=la).count()}; "
          f"database: {connection.vendor}", flush=True)
    verdict = "under" if first_seconds < 30 else "OVER"
    print(f"RESULT: {CHILDREN} children imported in {first_seconds:.2f} s ({verdict} the 30 s goal)", flush=True)


def _other_school(urn: str) -> str:
    return f"7{(int(urn[1:]) + 1) % SCHOOLS:05d}"


def build():
    """The LA, its schools and people, and the rows of the file (the LA's children emptied first)."""
    import datetime as dt
    import random

    from django.db import transaction

    from accounts.models import LocalAuthority, School, User
    from children.models import Child
    from children.upn import with_check_letter

    rng = random.Random(2000)
    with transaction.atomic():
        la, _ = LocalAuthority.objects.get_or_create(code=LA_CODE, defaults={"name": "Bench Import Council"})
        Child.objects.filter(local_authority=la).delete()
        existing = set(School.objects.filter(urn__startswith="7").values_list("urn", flat=True))
        School.objects.bulk_create([
            School(urn=f"7{i:05d}", name=f"Import Bench School {i}", phase=School.Phase.SECONDARY, local_authority=la)
            for i in range(SCHOOLS) if f"7{i:05d}" not in existing])
        schools = {s.urn: s for s in School.objects.filter(urn__startswith="7")}
        emails = set(User.objects.filter(email__startswith="bench-").values_list("email", flat=True))
        people = [User(email=f"bench-sw{i}@example.test", full_name=f"Bench SW {i}", role=Role.SOCIAL_WORKER,
                       local_authority=la) for i in range(SOCIAL_WORKERS)]
        people += [User(email=f"bench-carer{i}@example.test", full_name=f"Bench Carer {i}", role=Role.CARER,
                        local_authority=la) for i in range(CARERS)]
        people += [User(email=f"bench-dt{i}@example.test", full_name=f"Bench DT {i}", role=Role.DESIGNATED_TEACHER,
                        local_authority=la, school=schools[f"7{i:05d}"]) for i in range(SCHOOLS)]
        for user in people:
            user.set_unusable_password()
        User.objects.bulk_create([u for u in people if u.email not in emails])
    rows = []
    for i in range(CHILDREN):
        school = i % SCHOOLS
        year_group = rng.randint(-2, 13)
        dob = dt.date(2026 - 5 - year_group, rng.randint(1, 8), rng.randint(1, 28))
        carers = [f"bench-carer{(i * 3) % CARERS}@example.test"]
        if i % 4 == 0:
            carers.append(f"bench-carer{(i * 3 + 1) % CARERS}@example.test")
        rows.append({
            "child_ref": f"BI{i:06d}", "first_name": f"Child{i}", "last_name": f"Imported{i % 311}",
            "date_of_birth": dob.isoformat(), "gender": rng.choice(["female", "male"]),
            "upn": with_check_letter(f"{i:011d}{i % 10}") if i % 3 else "",
            "entered_care_on": min(dob + dt.timedelta(days=rng.randint(200, 1500)), dt.date(2026, 9, 1)).isoformat(),
            "school_urn": f"7{school:05d}", "school_started_on": "2025-09-03", "year_group": str(year_group),
            "social_worker_email": f"bench-sw{i % SOCIAL_WORKERS}@example.test",
            "designated_teacher_email": f"bench-dt{school}@example.test",
            "carer_emails": ";".join(carers),
        })
    return la, rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    from children.importer import COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()



if __name__ == "__main__":
    worker() if os.environ.get("EPEP_BENCH_WORKER") else main()
