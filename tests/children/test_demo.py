"""The demo children: about thirty, every phase, and the demo logins' relationships."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import User
from children.models import CareEpisode, Child, Phase, SchoolPlacement, TeamMembership
from children.policies import children_visible_to, relationship
from children.selectors import children_for_user
from core.models import AuditEvent
from core.roles import Role


def _seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output


def _children_state():
    return (Child.objects.count(), CareEpisode.objects.count(), SchoolPlacement.objects.count(),
            TeamMembership.objects.count(), AuditEvent.objects.filter(object_type__startswith="children.").count())


@pytest.mark.django_db
def test_the_demo_children_fit_the_demo_logins():
    _seed()
    la_children = Child.objects.filter(local_authority__code="DEMO")
    assert 25 <= la_children.count() <= 35
    people = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    phases = Counter(p.phase for p in SchoolPlacement.objects.filter(ended_on__isnull=True))
    assert set(phases) == {Phase.EARLY_YEARS, Phase.SCHOOL_AGE, Phase.POST_16}
    assert children_visible_to(people["carer@demo.test"]).count() == 2
    assert children_visible_to(people["carer2@demo.test"]).count() == 1
    [own] = children_visible_to(people["yp@demo.test"])
    assert (own.first_name, own.last_name) == ("Jordan", "Young")
    assert own.placements.get(ended_on__isnull=True).year_group == 9
    assert relationship(people["yp@demo.test"], own) == Role.YOUNG_PERSON
    # The designated teacher's school has most of the children.
    dt = people["dt@demo.test"]
    by_school = Counter(SchoolPlacement.objects.filter(ended_on__isnull=True).values_list("school_id", flat=True))
    assert by_school.most_common(1)[0][0] == dt.school_id
    assert children_for_user(user=dt).count() > la_children.count() / 2
    assert children_visible_to(people["vs@demo.test"]).count() == la_children.count()
    assert children_visible_to(people["sw@demo.test"]).count() == la_children.count()
    # Professional-only fields are filled in for one of carer@'s children, to show they stay hidden.
    assert Child.objects.filter(local_authority__code="DEMO").exclude(safeguarding_notes="").count() >= 1


@pytest.mark.django_db
def test_seeding_twice_changes_no_children():
    _seed()
    first = _children_state()
    _seed()
    assert _children_state() == first
