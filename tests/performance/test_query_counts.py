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

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access import OK
from tests.performance.pages import BIG, FEW, MANY, PAGES, PERSONAS, SMALL, grow

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
    # The row's kwargs may make what the URL needs (a PEP, a meeting): made once, before the growth,
    # so both counts are of the same object with fewer or more rows around it.
    url = reverse(row.name, kwargs=row.kwargs(world))
    data = row.data(world) if row.data else {}
    grow(world, children=SMALL, related=FEW)
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
    grow(world, children=BIG - SMALL, related=MANY - FEW)
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
# Since then: who sees a child is one query (children.policies.relationship), and section A
# reads the child's record for its facts (issue 14 point 8: the care episode and the team).
# Issue 15: the professionals' provisional QA rating on the PEP's page reads section B as it
# reads while the PEP is open, from the education record (peps.record_link: the term's
# figures, 7 queries, however many terms the record holds).
# Issue 18 (the kept deadline status): the deadlines panel reads two rows' worth of queries
# (the LA's day, the child's rows) instead of the engine's twelve: 28 → 18.
CHILD_PAGE = {"vs_officer": 18, "social_worker": 19, "designated_teacher": 19, "carer": 18, "young_person": 18,
              "admin_user": 18}
PEP_PAGE = {"vs_officer": 25, "social_worker": 26, "designated_teacher": 26, "carer": 14, "young_person": 14,
            "admin_user": 25}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_child_page_and_the_pep_page_take_a_pinned_number_of_queries(world, persona):
    from peps.models import Pep
    from tests.peps.factories import start_pep

    pep = start_pep(world.child, Pep.Kind.TERMLY)
    # As every night in production: the LAs' kept deadline status rolled for today, so the
    # child's deadlines panel reads it instead of running the engine.
    from deadlines import status

    status.roll()
    client = Client()
    client.force_login(world.people[persona])
    got = {"child": _count(client, reverse("child_detail", kwargs={"pk": world.child.pk}), {}),
           "pep": _count(client, reverse("pep_detail", kwargs={"pk": pep.pk}), {})}
    assert got == {"child": (200, CHILD_PAGE[persona]), "pep": (200, PEP_PAGE[persona])}
