from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import LocalAuthority
from core.models import AuditEvent
from deadlines.demo import term_dates_csv
from deadlines.models import ConcernRequest, DeadlineSettings, TermDates

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_this_and_next_years_term_dates_once():
    call_command("seed_demo", stdout=StringIO())
    la = LocalAuthority.objects.get(code="DEMO")
    years = set(TermDates.objects.filter(local_authority=la).values_list("academic_year", flat=True))
    assert years == {"2026/27", "2027/28"}
    assert DeadlineSettings.objects.get(local_authority=la).half_termly_for_ri_schools
    counts = (TermDates.objects.count(), ConcernRequest.objects.count(), AuditEvent.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (TermDates.objects.count(), ConcernRequest.objects.count(), AuditEvent.objects.count()) == counts


def test_term_dates_beyond_the_example_keep_their_weekdays():
    from core.calendar import parse_term_dates_csv

    [autumn, spring, summer] = parse_term_dates_csv(term_dates_csv([2029]))
    assert autumn.academic_year == "2029/30" and autumn.starts_on.weekday() == 2  # a Wednesday, like 1 Sep 2027
