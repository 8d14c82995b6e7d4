"""Dashboards: the figures, their lists and CSV, the chart, scoping, and a constant query count."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.models import CareEpisode, Child, SchoolPlacement, TeamMembership
from core.calendar import TermRef, last_terms
from core.models import AuditEvent
from core.roles import Role
from peps.models import Pep
from quality import selectors
from quality.models import QaReview, Rag
from tests.factories import SchoolFactory
from tests.quality.factories import PepFactory, qa_review

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)  # a Friday in the autumn term 2026/27
AUTUMN = TermRef(2026, 0)


def test_terms_run_oldest_first_and_round_trip():
    terms = last_terms(TODAY, 6)
    assert [t.key for t in terms] == ["2024-spring", "2024-summer", "2025-autumn", "2025-spring", "2025-summer",
                                      "2026-autumn"]
    assert terms[0].label == "Spring term 2024/25"
    assert TermRef.parse(AUTUMN.key) == AUTUMN and AUTUMN.academic_year == "2026/27"
    assert TermRef.parse("nonsense") is None


def test_the_figures_count_the_right_children(world, vs_officer):
    # Ruby: meeting held this term, submitted 12 working days ago, so QA is overdue.
    held = TODAY - dt.timedelta(days=18)
    PepFactory(child=world.child, status=Pep.Status.SUBMITTED, meeting_held_on=held, submitted_at=timezone.now())
    # Otto: no PEP this term; a returned PEP last term rated red.
    last = PepFactory(child=world.other_child, academic_year="2025/26", term="summer",
                      status=Pep.Status.RETURNED, meeting_held_on=dt.date(2026, 6, 1))
    qa_review(last, vs_officer, overall=Rag.RED, decision=QaReview.Decision.RETURNED)
    board = selectors.dashboard_for(vs_officer, AUTUMN, today=TODAY)
    assert board.counts["needing"] == 2
    assert board.counts["held"] == 1 and board.percent_compliant == 50
    assert board.counts["awaiting_qa"] == 1 and board.counts["qa_overdue"] == 1
    assert [s.name for s in board.awaiting] == ["Ruby Testchild"]
    assert board.awaiting[0].days_waiting == 14
    assert board.counts["rag_red"] == 0  # the red rating was last term
    summer = selectors.dashboard_for(vs_officer, TermRef(2025, 2), today=TODAY)
    assert summer.counts["rag_red"] == 1 and summer.counts["held"] == 1
    assert summer.counts["review_overdue"] == 1  # Ruby had no meeting last summer
    # Breakdowns: each school has one child.
    schools = {row.label: row.counts["needing"] for row in board.breakdowns["school"]}
    assert schools == {"Ruby's School": 1, "Otto's School": 1}
    assert [row.label for row in board.breakdowns["year_group"]] == ["Year 9"]
    # The chart: six terms, this one at 50%.
    assert [p.term for p in board.chart] == last_terms(TODAY, 6)
    assert board.chart[-1].percent == 50 and board.chart[-2].held == 1


def test_the_designated_teacher_and_social_worker_see_only_their_children(world, designated_teacher,
                                                                          social_worker):
    for person in (designated_teacher, social_worker):
        board = selectors.dashboard_for(person, AUTUMN, today=TODAY)
        assert [s.name for s in board.statuses] == ["Ruby Testchild"]


def test_the_dashboard_page_has_an_accessible_chart_and_links_to_lists(world, vs_officer, client):
    client.force_login(vs_officer)
    page = client.get(reverse("quality_dashboard")).content.decode()
    assert 'role="img"' in page and "<title id=\"compliance-title\">" in page and "<desc id=" in page
    assert "Data for the chart" in page
    assert "style=" not in page and "<script>" not in page
    assert reverse("quality_dashboard_children") + "?figure=needing" in page
    assert "By social worker" in page and "By year group" in page


def test_a_figure_lists_its_children_and_exports_them_as_csv(world, vs_officer, client):
    world.child.first_name = "=HYPERLINK(\"http://evil\")"
    world.child.save()
    client.force_login(vs_officer)
    group = f"school:{world.school.pk}"
    page = client.get(reverse("quality_dashboard_children"), {"figure": "needing", "group": group})
    assert page.status_code == 200
    assert b"Testchild" in page.content and b"Otherchild" not in page.content
    response = client.get(reverse("quality_dashboard_csv"), {"figure": "needing", "group": group})
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "LA reference" and len(rows) == 2
    assert rows[1][1].startswith("'=HYPERLINK")  # no formula runs in a spreadsheet
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.EXPORTED, object_type="quality.dashboard")
    assert event.actor == vs_officer and event.changes["children"] == [None, 1]


def test_an_unknown_figure_is_not_found_and_families_get_no_dashboard(world, vs_officer, carer, client):
    client.force_login(vs_officer)
    assert client.get(reverse("quality_dashboard_children"), {"figure": "nope"}).status_code == 404
    client.force_login(carer)
    assert client.get(reverse("quality_dashboard")).status_code == 403


def populate(la, n: int, sw) -> None:
    """n children in care at 20 schools, each with a social worker link and a PEP this term."""
    schools = [SchoolFactory(local_authority=la) for _ in range(20)]
    children = Child.objects.bulk_create(
        Child(local_authority=la, la_reference=f"BULK{i:05d}", first_name="Child", last_name=f"Number{i}",
              date_of_birth=dt.date(2014, 1, 1)) for i in range(n))
    CareEpisode.objects.bulk_create(CareEpisode(child=c, entered_care_on=dt.date(2024, 1, 8)) for c in children)
    SchoolPlacement.objects.bulk_create(
        SchoolPlacement(child=c, school=schools[i % 20], year_group=i % 14, started_on=dt.date(2024, 1, 8))
        for i, c in enumerate(children))
    TeamMembership.objects.bulk_create(TeamMembership(user=sw, child=c, role=Role.SOCIAL_WORKER)
                                       for c in children)
    peps = Pep.objects.bulk_create(
        Pep(child=c, kind=Pep.Kind.TERMLY, phase="school_age", academic_year="2026/27", term="autumn",
            status=[Pep.Status.DRAFT, Pep.Status.SUBMITTED, Pep.Status.APPROVED][i % 3],
            meeting_held_on=dt.date(2026, 10, 1) if i % 3 else None)
        for i, c in enumerate(children))
    QaReview.objects.bulk_create(QaReview(pep=p, overall=[Rag.RED, Rag.AMBER, Rag.GREEN][i % 3],
                                          decision=QaReview.Decision.APPROVED)
                                 for i, p in enumerate(peps) if p.status == Pep.Status.APPROVED)


def dashboard_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("quality_dashboard"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


# 25, and 3 more since the Virtual School's terms follow its LA's own term dates (the LA,
# its term dates and its days off, read once per request).
QUERY_BOUND = 28


@pytest.mark.parametrize("size", [10, 2500])
def test_the_dashboard_costs_the_same_queries_at_10_and_2500_children(world, client, size,
                                                                      django_assert_max_num_queries):
    from tests.factories import LocalAuthorityFactory, UserFactory

    la = LocalAuthorityFactory(code=f"BIG{size}")
    vs = UserFactory(role=Role.VIRTUAL_SCHOOL, local_authority=la)
    sw = UserFactory(role=Role.SOCIAL_WORKER, local_authority=la)
    populate(la, size, sw)
    # Written in bulk, past the services: rolled as the nightly task does, so the page reads
    # the kept deadline status (deadlines.status) as it does in production.
    from deadlines import status

    status.roll(la_ids=[la.pk])
    client.force_login(vs)
    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(reverse("quality_dashboard"))
    assert response.status_code == 200
    assert response.context["board"].counts["needing"] == size


def test_the_query_count_does_not_grow_with_children(world, client):
    from tests.factories import LocalAuthorityFactory, UserFactory

    counts = []
    for size in (10, 300):
        la = LocalAuthorityFactory(code=f"GROW{size}")
        vs = UserFactory(role=Role.VIRTUAL_SCHOOL, local_authority=la)
        populate(la, size, UserFactory(role=Role.SOCIAL_WORKER, local_authority=la))
        counts.append(dashboard_queries(client, vs))
    assert counts[0] == counts[1]


def test_pp_plus_figures_count_allocated_requested_approved_and_released(world, vs_officer):
    from decimal import Decimal

    from targets.models import PpPlusAllocation, PpPlusRequest
    from tests.quality.factories import submitted_pep

    PpPlusAllocation.objects.create(local_authority=world.la, financial_year="2026-27", amount_per_child=2570)
    pep = submitted_pep(world.child, held_on=dt.date(2026, 11, 2))
    PpPlusRequest.objects.filter(pep=pep).update(status=PpPlusRequest.Status.APPROVED,
                                                 approved_amount=Decimal("200.00"), financial_year="2026-27")
    figures = selectors.dashboard_for(vs_officer, AUTUMN, today=TODAY).pp_plus
    assert figures.financial_year == "2026-27"
    assert (figures.allocated, figures.requested, figures.approved, figures.released) == (
        Decimal("5140.00"), Decimal("240.00"), Decimal("200.00"), Decimal("0"))
    assert figures.remaining == Decimal("4940.00")
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)  # released only once the PEP is approved
    assert selectors.dashboard_for(vs_officer, AUTUMN, today=TODAY).pp_plus.released == Decimal("200.00")


def test_names_in_the_breakdowns_are_escaped(world, vs_officer, client):
    world.school.name = '<script>alert("x")</script> Academy'
    world.school.save()
    client.force_login(vs_officer)
    page = client.get(reverse("quality_dashboard")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Academy" in page


def test_the_figures_are_kept_until_an_audited_write_then_computed_again(world, vs_officer, client):
    from children import services as child_services

    client.force_login(vs_officer)
    first = client.get(reverse("quality_dashboard"))
    needing = first.context["board"].counts["needing"]
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(reverse("quality_dashboard"))
    assert again.status_code == 200 and "board" not in again.context  # served from the cache
    assert len(ctx.captured_queries) < 10
    # Any write goes through a service that audits it: the next request computes afresh.
    child = child_services.child_create(actor=vs_officer, local_authority=world.la, la_reference="NEW1",
                                        first_name="Newly", last_name="Arrived", date_of_birth=dt.date(2015, 3, 1))
    child_services.care_episode_start(actor=vs_officer, child=child, entered_care_on=timezone.localdate())
    after = client.get(reverse("quality_dashboard"))
    assert after.context["board"].counts["needing"] == needing + 1


def test_each_pp_plus_amount_links_to_the_children_behind_it(world, vs_officer, client):
    from decimal import Decimal

    from targets.models import PpPlusAllocation, PpPlusRequest
    from tests.quality.factories import submitted_pep

    term = TermRef.containing(timezone.localdate())
    from targets.models import financial_year_for

    financial_year = financial_year_for(term.window()[1])
    PpPlusAllocation.objects.create(local_authority=world.la, financial_year=financial_year, amount_per_child=2570)
    pep = submitted_pep(world.child, held_on=timezone.localdate())
    PpPlusRequest.objects.filter(pep=pep).update(status=PpPlusRequest.Status.APPROVED,
                                                 approved_amount=Decimal("200.00"), financial_year=financial_year)
    client.force_login(vs_officer)
    page = client.get(reverse("quality_dashboard")).content.decode()
    for figure in selectors.PP_FIGURES:
        assert f"?figure={figure}&amp;term={term.key}" in page
    listed = client.get(reverse("quality_dashboard_children"), {"figure": "pp_approved"})
    assert listed.status_code == 200
    assert [s.id for s in listed.context["rows"]] == [world.child.pk]
    assert "PP+ approved (£)" in listed.content.decode() and "200.00" in listed.content.decode()
    assert [s.id for s in client.get(reverse("quality_dashboard_children"),
                                     {"figure": "pp_released"}).context["rows"]] == []
    rows = list(csv.reader(io.StringIO(client.get(reverse("quality_dashboard_csv"),
                                                  {"figure": "pp_requested"}).content.decode())))
    assert rows[0][-3:] == ["PP+ requested (£)", "PP+ approved (£)", "PP+ released (£)"]
    assert rows[1][-2:] == ["200.00", "0.00"]
