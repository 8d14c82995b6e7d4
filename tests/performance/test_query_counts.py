"""No N+1 anywhere: every list and detail page reads the database a fixed number of times.

Each page of the access matrix (tests/*/access_rows.py) is opened by each of the six personas
who may open it, first in a small world (10 more children visible to the person; Ruby with a
few PEPs, meetings, targets, documents, attendance terms, team members and audit events),
then again after the world has grown (500 children; Ruby with many of each). The number of
queries must be the same.

The world is grown once per page (not once per persona) so the module stays fast; each
persona's count is reported. Timings are not tested here: they live in bench/bench_pages.py.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
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


def _grow(world, *, children: int, related: int) -> None:
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


# ---- counting ---------------------------------------------------------------------------------------


def _count(client: Client, url: str, data: dict) -> tuple[int, int]:
    """The queries of one request, after a first request has warmed what is kept between requests
    (the session, the content types); the cache is emptied first so a cached figure does not hide
    its cost."""
    client.get(url, data)
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    return response.status_code, len(ctx.captured_queries)


@pytest.mark.parametrize("row", PAGES, ids=[r.name for r in PAGES])
def test_the_page_reads_the_same_number_of_times_at_10_and_at_500_children(row, world):
    personas = [p for p in PERSONAS if row.outcome(p) == OK]
    _grow(world, children=SMALL, related=FEW)
    # The row's kwargs may make what the URL needs (a PEP, a meeting): made once, before the growth,
    # so both counts are of the same object with fewer or more rows around it.
    url = reverse(row.name, kwargs=row.kwargs(world))
    data = row.data(world) if row.data else {}
    clients = {}
    for persona in personas:
        clients[persona] = Client()
        clients[persona].force_login(world.people[persona])

    def counts() -> dict[str, tuple[int, int]]:
        result = {}
        for persona in personas:
            # A request's own writes (an audit event of the reading) stay; nothing else changes.
            with transaction.atomic():
                result[persona] = _count(clients[persona], url, data)
        return result

    small = counts()
    _grow(world, children=BIG - SMALL, related=MANY - FEW)
    big = counts()
    print(row.name, {p: (small[p], big[p]) for p in personas})  # shown with -s
    assert all(status in (200, 302) for status, _n in small.values()), small
    grew = {p: f"{small[p][1]} → {big[p][1]} queries" for p in personas if small[p] != big[p]}
    assert not grew, f"{row.name}: the number of queries grows with the data: {grew}"


# ---- the child's page and the PEP's page: pinned, so the counts cannot creep back --------------------

# Ruby with her team and one draft PEP. Before issue 18 the child's page took 32 queries for the
# Virtual School (44 for her social worker, 50 for her designated teacher: each panel asked again
# who the person is to the child) and the PEP's page 17 (23, 26). Of what is left, the session
# (read, and saved on every request for the idle timeout: 4), the person, the audit event of the
# reading, and the deadlines panel (12: the deadline engine, which the kept per-child deadline
# status replaces) are most of it.
CHILD_PAGE = {"vs_officer": 28, "social_worker": 30, "designated_teacher": 31, "carer": 29, "young_person": 29,
              "admin_user": 28}
PEP_PAGE = {"vs_officer": 16, "social_worker": 18, "designated_teacher": 19, "carer": 13, "young_person": 13,
            "admin_user": 16}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_child_page_and_the_pep_page_take_a_pinned_number_of_queries(world, persona):
    from peps.models import Pep
    from tests.peps.factories import start_pep

    pep = start_pep(world.child, Pep.Kind.TERMLY)
    client = Client()
    client.force_login(world.people[persona])
    got = {"child": _count(client, reverse("child_detail", kwargs={"pk": world.child.pk}), {}),
           "pep": _count(client, reverse("pep_detail", kwargs={"pk": pep.pk}), {})}
    assert got == {"child": (200, CHILD_PAGE[persona]), "pep": (200, PEP_PAGE[persona])}
