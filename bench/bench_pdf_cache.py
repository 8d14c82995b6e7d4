"""A draft PEP's PDF download, uncached (rendered) and cached (same version of the PEP).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_safety REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/bench_pdf_cache.py [TARGETS]

Loads the demo data, takes a draft demo PEP, gives it TARGETS targets (default 412, the
count an outside test used; added directly, past the per-PEP limit, to measure the worst
PEP that may already exist), then times `pep_pdf_download` (what the view calls: the HTML,
its hash, the cache, the audit event) with an empty cache and then with the PDF cached in
Redis. The cache is Redis, as in production.
"""

from __future__ import annotations

import statistics
import sys
import time

from bench_dashboard import percentile, setup

UNCACHED_RUNS = 3
CACHED_RUNS = 10


def main() -> None:
    setup()
    import datetime as dt

    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from peps.models import Pep
    from quality import services
    from targets.models import Target

    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 412
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    pep = (Pep.objects.filter(child__local_authority__code="DEMO").exclude(status=Pep.Status.APPROVED)
           .order_by("pk").first())
    have = pep.targets.count()
    Target.objects.bulk_create([
        Target(pep=pep, child=pep.child, area="maths", what=f"Bench target {n}: know the times tables to 12",
               success_criteria="Scores 45 out of 50 on the multiplication check", strategy_what="Daily practice",
               responsible="Maths teacher", by_when=timezone.localdate() + dt.timedelta(days=90))
        for n in range(max(0, wanted - have))])
    pep = Pep.objects.select_related("child", "child__local_authority").get(pk=pep.pk)
    actor = User.objects.get(email="vs@demo.test")

    def download() -> float:
        start = time.perf_counter()
        services.pep_pdf_download(actor=actor, pep=pep, show_pp_plus=True, professional=True)
        return (time.perf_counter() - start) * 1000

    cache.clear()
    download()  # warm-up: fonts, templates
    uncached = []
    for _ in range(UNCACHED_RUNS):
        cache.clear()
        uncached.append(download())
    cached = [download() for _ in range(CACHED_RUNS)]
    print(f"PEP {pep.pk} ({pep.get_status_display()}): {pep.targets.count()} targets")
    print(f"uncached over {UNCACHED_RUNS} runs: p50={statistics.median(uncached):.0f} ms max={max(uncached):.0f} ms")
    print(f"cached over {CACHED_RUNS} runs: p50={statistics.median(cached):.0f} ms "
          f"p95={percentile(cached, 95):.0f} ms max={max(cached):.0f} ms")


if __name__ == "__main__":
    main()
