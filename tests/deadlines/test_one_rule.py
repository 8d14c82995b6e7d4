"""The deadline rules are written once: the dashboards' figures for terms the engine does
not cover (quality.selectors.fallback_deadlines) and the engine itself give the same
answer for the same child on the same day."""

import datetime as dt

import pytest

from core.calendar import TermRef
from deadlines.engine import Kind, Status, compute_deadlines
from quality.selectors import ChildStatus, fallback_deadlines
from tests.factories import CareEpisodeFactory, ChildFactory, SchoolPlacementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("entered", [dt.date(2026, 1, 5), dt.date(2026, 3, 27), dt.date(2026, 12, 18)])
def test_initial_pep_flags_agree_with_the_engine_every_day(entered):
    child = ChildFactory()
    CareEpisodeFactory(child=child, entered_care_on=entered)
    SchoolPlacementFactory(child=child, started_on=entered - dt.timedelta(days=400))
    seen = set()
    for offset in range(0, 45):
        today = entered + dt.timedelta(days=offset)
        engine = [d for d in compute_deadlines(today=today, child_ids=[child.pk]) if d.kind == Kind.INITIAL]
        assert len(engine) == 1, today
        status = ChildStatus(id=child.pk, name="", reference="", needs_pep=True)
        fallback_deadlines({child.pk: status}, term=TermRef.containing(today), today=today,
                           episodes={child.pk: [(entered, None)]}, last_meeting={})
        expected = engine[0].status
        seen.add(expected)
        assert status.initial_overdue == (expected == Status.OVERDUE), today
        assert (status.due_soon and status.due_on == engine[0].due_on) == (expected == Status.DUE_SOON), today
    # The days walked cover every status the initial PEP goes through.
    assert seen == {Status.ON_TRACK, Status.DUE_SOON, Status.OVERDUE}
