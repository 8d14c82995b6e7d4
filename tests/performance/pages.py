"""The pages of the access matrix that list or show something, and a world grown in bulk around
them. Used by tests/performance/test_query_counts.py and bench/bench_pages.py."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.access import OK
from tests.test_access_matrix import ROWS

PERSONAS = ("vs_officer", "social_worker", "designated_teacher", "carer", "young_person", "admin_user")
SMALL, BIG = 10, 500  # children visible to the person
FEW, MANY = 3, 30  # rows of each kind around Ruby

# Pages that are not a list or a detail of anything (sign-in, static text, files served as they
# are) and the PDFs (WeasyPrint makes them; the PDF bench measures them).
NOT_A_LIST_OR_DETAIL = {
    "healthz", "invitation_accept", "login_request_new", "login_request_done", "accessibility_statement",
    "privacy_notice", "cookies_page", "session_keep_alive", "attendance_template", "term_dates_template",
    "pep_document_download", "pep_superseded_pdf", "pep_pdf", "quality_reporting_pdf",
    "quality_export_download", "subject_access_download",
}
NOT_A_LIST_OR_DETAIL_PREFIXES = ("account_", "mfa_", "socialaccount_", "openid_connect_")


def _pages():
    seen: dict[str, object] = {}
    for row in ROWS:
        if row.method != "get" or row.name in seen or row.name in NOT_A_LIST_OR_DETAIL:
            continue
        if row.name.startswith(NOT_A_LIST_OR_DETAIL_PREFIXES):
            continue
        if any(row.outcome(p) == OK for p in PERSONAS):
            seen[row.name] = row
    return list(seen.values())


PAGES = _pages()


# ---- growing the world, in bulk --------------------------------------------------------------------


_serial = itertools.count()


def grow(world, *, children: int, related: int) -> None:
    """`children` more children visible to every persona but the young person, and `related` more of
    each kind of row around Ruby (and her open PEP, if she has one)."""
    from accounts.models import User
    from children.models import ChildUserObjectPermission, TeamMembership
    from children.policies import VIEW_PERMISSION
    from core.models import AuditEvent
    from core.roles import Role
    from education.models import Attendance
    from meetings.models import Invitee, Meeting
    from peps.models import Pep, SupportingDocument
    from quality.models import QaReview
    from targets.models import PpPlusRequest, Target
    from tests.children.factories import many_children

    batch = next(_serial)
    people = world.people
    many_children(children, la=world.la, school=world.school, social_worker=people["social_worker"],
                  carer=people["carer"], prefix=f"G{batch}x")
    child = world.child
    today = timezone.localdate()

    # Old approved PEPs, each with its meeting held, a target, a PP+ request and a QA review.
    old = Pep.objects.bulk_create(
        Pep(child=child, kind=Pep.Kind.TERMLY, phase="school_age", academic_year=f"{1990 + i}/{(91 + i) % 100:02d}",
            term=("autumn", "spring", "summer")[i % 3], status=Pep.Status.APPROVED,
            meeting_held_on=today - dt.timedelta(days=100 + i), school=world.school,
            created_at=timezone.now() - dt.timedelta(days=100 + i + batch * 1000),
            approved_at=timezone.now() - dt.timedelta(days=90 + i))
        for i in range(related))
    chair = people["designated_teacher"]
    Meeting.objects.bulk_create(
        Meeting(pep=p, starts_at=timezone.now() - dt.timedelta(days=100 + i), format=("in_school", "online")[i % 2],
                chair=chair, status=Meeting.Status.HELD, held_on=today - dt.timedelta(days=100 + i))
        for i, p in enumerate(old))
    targets = Target.objects.bulk_create(
        Target(pep=p, child=child, area=("maths", "english", "attendance")[i % 3], what=f"Target {batch}.{i}",
               success_criteria="Criteria", strategy_what="Strategy", by_when=today + dt.timedelta(days=30 + i),
               status=Target.Status.ACHIEVED)
        for i, p in enumerate(old))
    PpPlusRequest.objects.bulk_create(
        PpPlusRequest(pep=t.pep, child=child, target=t, amount="100.00", what_it_buys="Tutoring",
                      category="literacy", financial_year="2025-26", status=PpPlusRequest.Status.APPROVED,
                      approved_amount="100.00")
        for t in targets)
    QaReview.objects.bulk_create(
        QaReview(pep=p, reviewer=people["vs_officer"], overall="green", decision=QaReview.Decision.APPROVED)
        for p in old)

    # The open PEP (the one the page's URL names, when it has one): documents, cancelled meetings with
    # their invitees, targets and requests.
    current = Pep.objects.filter(child=child, status__in=Pep.OPEN_STATUSES).first()
    if current is not None:
        SupportingDocument.objects.bulk_create(
            SupportingDocument(pep=current, original_name=f"report-{i}.pdf", stored_name=f"grow-{batch}-{i}",
                               content_type="application/pdf", size=15, sha256="0" * 64,
                               visibility=("team", "professionals")[i % 2],
                               uploaded_by=people[("designated_teacher", "social_worker")[i % 2]])
            for i in range(related))
        cancelled = Meeting.objects.bulk_create(
            Meeting(pep=current, starts_at=timezone.now() + dt.timedelta(days=i), format="online", chair=chair,
                    status=Meeting.Status.CANCELLED, cancelled_reason="Illness")
            for i in range(related))
        Invitee.objects.bulk_create(
            Invitee(meeting=m, user=people["carer"], name="Carer", role="Carer") for m in cancelled)
        current_targets = Target.objects.bulk_create(
            Target(pep=current, child=child, area=("maths", "english", "science")[i % 3], what=f"Now {batch}.{i}",
                   success_criteria="Criteria", strategy_what="Strategy", by_when=today + dt.timedelta(days=30 + i))
            for i in range(related))
        PpPlusRequest.objects.bulk_create(
            PpPlusRequest(pep=current, child=child, target=t, amount="50.00", what_it_buys="Books",
                          category="literacy", financial_year="2026-27")
            for t in current_targets)
    # Attendance terms (one school, distinct years), team members and audit events.
    Attendance.objects.bulk_create(
        Attendance(child=child, school=world.school, academic_year=f"{1960 + batch * 100 + i // 3}/"
                   f"{(61 + batch * 100 + i // 3) % 100:02d}",
                   term=("autumn", "spring", "summer")[i % 3], sessions_possible=120, sessions_present=110)
        for i in range(related))
    others = User.objects.bulk_create(
        User(email=f"grow{batch}-{i}@example.test", full_name=f"Other {i}", role=Role.OTHER,
             local_authority=world.la)
        for i in range(related))
    permission = Permission.objects.get(content_type__app_label="children", codename=VIEW_PERMISSION)
    TeamMembership.objects.bulk_create(
        TeamMembership(user=u, child=child, role=Role.IRO, starts_on=dt.date(2024, 9, 2)) for u in others)
    ChildUserObjectPermission.objects.bulk_create(
        ChildUserObjectPermission(user=u, content_object=child, permission=permission) for u in others)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=people["vs_officer"], child_id=child.pk, object_type="children.child", object_id=str(child.pk),
                   verb=AuditEvent.Verb.UPDATED, changes={"first_name": ["A", "B"]})
        for _ in range(related))
