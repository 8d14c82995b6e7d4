"""Render time of a full demo PEP as a PDF (WeasyPrint, tagged PDF/UA-1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_quality .venv/bin/python bench/bench_pdf.py

Loads the demo data (manage.py seed_demo; idempotent), picks the demo PEP with the most
content (sections, targets, PP+, QA ratings), adds a held meeting with attendees and two
supporting documents if it has none, then renders it 10 times after one warm-up render.
Goal: under 1.5 s.
"""

from __future__ import annotations

import statistics
import time

from bench_dashboard import percentile, setup

RUNS = 10


def main() -> None:
    setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from meetings.models import Invitee, Meeting
    from peps.models import Pep, SupportingDocument
    from quality.pdf import pep_pdf_bytes

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    pep = (Pep.objects.filter(child__local_authority__code="DEMO")
           .annotate(n_targets=Count("targets", distinct=True), n_reviews=Count("qa_reviews", distinct=True),
                     n_sections=Count("sections", distinct=True))
           .order_by("-n_targets", "-n_reviews", "-n_sections", "pk").first())
    if not Meeting.objects.filter(pep=pep).exists():
        dt_user = User.objects.get(email="dt@demo.test")
        meeting = Meeting.objects.create(
            pep=pep, starts_at=timezone.now() - dt.timedelta(days=7), format=Meeting.Format.IN_SCHOOL,
            chair=dt_user, status=Meeting.Status.HELD, held_on=pep.meeting_held_on or timezone.localdate(),
            going_well="Settled in class and making friends. " * 5, difficulties="Attendance dipped. " * 5,
            support_in_place="Weekly mentoring and reading support. " * 4, pp_plus_impact="Tutoring helped. " * 4,
            next_meeting_on=timezone.localdate() + dt.timedelta(days=90))
        for name, role in (("Dee Teacher", "Designated teacher"), ("Sam Social", "Social worker"),
                           ("Chris Carer", "Carer"), ("Val Virtual", "Virtual School officer")):
            Invitee.objects.create(meeting=meeting, name=name, role=role, attendance=Invitee.Attendance.ATTENDED)
    if not pep.targets.exists():
        from decimal import Decimal

        from targets.models import PpPlusRequest, Target

        for area, what in (("english", "Read one chapter book a week with the carer"),
                           ("maths", "Know the times tables to 12 by heart"),
                           ("wellbeing", "Use the quiet room plan when anxious at transitions")):
            target = Target.objects.create(
                pep=pep, child=pep.child, area=area, what=what, baseline="Working towards expectations",
                success_criteria="Measured by the class teacher's termly assessment", responsible="Dee Teacher",
                strategy_what="Small-group sessions three times a week", strategy_who="Teaching assistant",
                strategy_how_often="Three times a week", by_when=timezone.localdate() + dt.timedelta(days=90),
                pp_plus_requested=Decimal("300.00"))
            PpPlusRequest.objects.create(pep=pep, child=pep.child, target=target, amount=Decimal("300.00"),
                                         what_it_buys=f"Tuition for: {what}", category="tuition")
    if not pep.documents.exists():
        for i, name in enumerate(("provision-map.pdf", "termly-report.docx")):
            SupportingDocument.objects.create(pep=pep, original_name=name, stored_name=f"bench-{pep.pk}-{i}",
                                              content_type="application/pdf", size=1000, sha256="0" * 64)
    pep = Pep.objects.select_related("child", "child__local_authority").get(pk=pep.pk)
    data = pep_pdf_bytes(pep, show_pp_plus=True, professional=True)  # warm-up: fonts, templates
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        data = pep_pdf_bytes(pep, show_pp_plus=True, professional=True)
        times.append((time.perf_counter() - start) * 1000)
    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    print(f"PEP {pep.pk}: {pep.sections.count()} sections, {pep.targets.count()} targets, "
          f"{pep.pp_plus_requests.count()} PP+ requests, {pep.qa_reviews.count()} QA reviews; "
          f"{pages} pages, {len(data) // 1024} KiB")
    print(f"PDF render over {RUNS} runs: p50={statistics.median(times):.0f} ms p95={percentile(times, 95):.0f} ms "
          f"max={max(times):.0f} ms (goal < 1500 ms)")


if __name__ == "__main__":
    main()
