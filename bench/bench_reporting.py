"""Virtual School reporting server time: 2,500 children with three years of records.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_reporting .venv/bin/python bench/bench_reporting.py [children]
        [--modes=computed,cached]

Builds (once per size; reused on later runs) one LA with the children (default 2,500) at 150
schools, ten of them in another LA, with three academic years of education records from
bench/reporting_cohort.py (termly attendance, exclusions, SEN over time, attainment at each
key stage, EET, PEPs with QA, PP+ requests), then times requests of the reporting page
(no filter, and with three filters) with Django's test client: the whole request,
middleware, queries and template. Printed beside a minimal signed-in page (the password
change form) timed in the same run. Goal: p95 of the reporting page ≤ 300 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 20


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, like postgres://postgres@127.0.0.1:5432/epep_reporting")
    from bench.pgdb import ensure_database

    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")}}
    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def build(children: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import LocalAuthority, School, User
    from bench.reporting_cohort import build_cohort
    from children.models import Child
    from core.roles import Role

    code = f"REP{children}"[:8]
    la, _ = LocalAuthority.objects.get_or_create(code=code, defaults={"name": f"Reportshire ({children})"})
    elsewhere, _ = LocalAuthority.objects.get_or_create(code="REPELSE", defaults={"name": "Elsewhere Borough"})
    vs, _ = User.objects.get_or_create(email=f"bench-rep-vs-{children}@example.test", defaults={
        "full_name": "Bench Virtual School", "role": Role.VIRTUAL_SCHOOL, "local_authority": la})
    if Child.objects.filter(local_authority=la).count() >= children:
        return vs
    print(f"Building {children} children with three years of records (once)...", file=sys.stderr)
    with transaction.atomic():
        Child.objects.filter(local_authority=la).delete()
        schools = [School.objects.update_or_create(
            urn=f"7{children % 100:02d}{i:03d}", defaults={
                "name": f"Report School {i}", "phase": School.Phase.SECONDARY,
                "local_authority": elsewhere if i < 10 else la})[0] for i in range(150)]
        build_cohort(la=la, schools=schools, n=children, today=timezone.localdate(), seed=children,
                     prefix=f"R{children}-")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return vs


def main() -> None:
    setup()
    args = [a for a in sys.argv[1:] if not a.startswith("--modes=")]
    children = int(args[0]) if args else 2_500
    # --modes=computed,cached leaves out the slow refreshed rounds (a write's refresh each).
    modes = next((a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--modes=")),
                 ["computed", "refreshed", "cached"])
    vs = build(children)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from education.models import Attainment, Attendance
    from peps.models import Pep

    client = Client()
    client.force_login(vs)
    year = timezone.localdate().year if timezone.localdate().month >= 9 else timezone.localdate().year - 1
    pages = {
        "minimal signed-in page (password change)": "/accounts/password/change/",
        "reporting page": "/quality/reporting/",
        "reporting page, three filters": f"/quality/reporting/?year={year}&key_stage=ks4&area=in&cla12=yes",
        "a figure's children (persistent absence)": f"/quality/reporting/children/?year={year}&figure=persistent",
    }
    for url in pages.values():
        for _ in range(3):  # warm-up
            assert client.get(url).status_code == 200, url
    import gc

    gc.collect()
    gc.freeze()

    def queries_of(url: str) -> int:
        queries: list[str] = []
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            client.get(url)
        return len(queries)

    la = vs.local_authority
    print(f"children={la.children.count() if hasattr(la, 'children') else children} "
          f"attendance rows={Attendance.objects.filter(child__local_authority=la).count()} "
          f"attainment rows={Attainment.objects.filter(child__local_authority=la).count()} "
          f"PEPs={Pep.objects.filter(child__local_authority=la).count()}")
    # Interleaved rounds, so that a busy moment of the machine falls on every page alike.
    # "computed": a new version of the LA's data before each request (what any save in the
    # LA does to the cache key), so the reporting pages compute the figures themselves;
    # "cached": nothing changed.
    # "refreshed": a real audited write first, whose refresh (the test settings' eager Celery
    # runs it at once, as a free worker does within moments) computes the pages looked at.
    from django.db.models import F

    from core.audit import audit_record
    from core.models import AuditEvent, DataVersion

    scope = f"la{la.pk}"
    DataVersion.objects.get_or_create(scope=scope)

    times: dict[tuple[str, str], list[float]] = {}
    refresh_ms: list[float] = []
    for _ in range(REQUESTS):
        for label, url in pages.items():
            for mode in modes:
                if mode == "computed":
                    # A new version of the LA's data (what an audited write in the LA does,
                    # core.audit._bump), without the refresh an audited write sets off.
                    DataVersion.objects.filter(scope=scope).update(n=F("n") + 1)
                elif mode == "refreshed":
                    start = time.perf_counter()
                    audit_record(actor=None, verb=AuditEvent.Verb.UPDATED, object_type="bench.write", object_id="1")
                    refresh_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                response = client.get(url)
                times.setdefault((label, mode), []).append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
    AuditEvent.objects.filter(object_type="bench.write").delete()
    for (label, mode), t in times.items():
        if label.startswith("minimal") and mode != modes[-1]:  # it has no cache: once
            continue
        url = pages[label]
        goal = " (goal p95 ≤ 300 ms)" if label.startswith("reporting page") else ""
        print(f"{label}, {mode if not label.startswith('minimal') else 'no cache'}: {REQUESTS} requests "
              f"p50={statistics.median(t):.0f} ms p95={percentile(t, 95):.0f} ms max={max(t):.0f} ms, "
              f"{queries_of(url)} queries (cached){goal}")
    if refresh_ms:
        print(f"the worker's refresh after a write (dashboards and reporting pages looked at): "
              f"p50={statistics.median(refresh_ms):.0f} ms p95={percentile(refresh_ms, 95):.0f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {dt.datetime.now(dt.UTC):%H:%M} UTC")


if __name__ == "__main__":
    main()
