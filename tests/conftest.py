"""Personas after healthchecks' alice/bob/charlie: one world, each role, and outsiders.

`world` is a child (Ruby) with her whole team in the "Testshire" LA, and a second child
(Otto) in the same LA with a team of his own, whose members are the outsiders: the same
roles, linked to a different child. `other_la_vs` and `other_la_admin` work for another LA,
and `other_la_designated_teacher` is a designated teacher that other LA registered at Ruby's
school (a school the two LAs share): sharing the school gives them none of Ruby's record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from children import services as child_services
from core.roles import Role
from tests.factories import (
    PASSWORD,
    ChildFactory,
    LocalAuthorityFactory,
    SchoolFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. Cached figures are keyed on the newest audit
    event's id, and a rolled-back test gives its ids back to the next test on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield


@dataclass
class World:
    la: object
    other_la: object
    school: object
    other_school: object
    child: object
    other_child: object
    people: dict


PERSONAS = [
    "social_worker", "designated_teacher", "carer", "young_person", "vs_officer", "admin_user",
    "outsider_social_worker", "outsider_designated_teacher", "outsider_carer",
    "outsider_young_person", "other_la_vs", "other_la_admin", "other_la_designated_teacher", "anonymous",
]


# The team has been around the children since they entered care, so tests that run the
# deadline jobs "as of" a fixed date find everyone linked whatever today's date is.
TEAM_SINCE = dt.date(2024, 9, 2)


def build_world() -> World:
    la = LocalAuthorityFactory(name="Testshire County Council", code="TEST")
    other_la = LocalAuthorityFactory(name="Elsewhere Council", code="ELSE")
    school = SchoolFactory(name="Ruby's School", local_authority=la)
    other_school = SchoolFactory(name="Otto's School", local_authority=la)

    def person(key, role, la_=la, school_=None):
        return UserFactory(email=f"{key}@example.test", role=role, local_authority=la_, school=school_,
                           full_name=key.replace("_", " ").title())

    people = {
        "social_worker": person("social_worker", Role.SOCIAL_WORKER),
        "designated_teacher": person("designated_teacher", Role.DESIGNATED_TEACHER, school_=school),
        "carer": person("carer", Role.CARER),
        "young_person": person("young_person", Role.YOUNG_PERSON),
        "vs_officer": person("vs_officer", Role.VIRTUAL_SCHOOL),
        "admin_user": person("admin_user", Role.LA_ADMIN),
        "outsider_social_worker": person("outsider_social_worker", Role.SOCIAL_WORKER),
        "outsider_designated_teacher": person("outsider_designated_teacher", Role.DESIGNATED_TEACHER,
                                              school_=other_school),
        "outsider_carer": person("outsider_carer", Role.CARER),
        "outsider_young_person": person("outsider_young_person", Role.YOUNG_PERSON),
        "other_la_vs": person("other_la_vs", Role.VIRTUAL_SCHOOL, la_=other_la),
        "other_la_admin": person("other_la_admin", Role.LA_ADMIN, la_=other_la),
        # Registered by the other LA at Ruby's school: never linked to Testshire's children.
        "other_la_designated_teacher": person("other_la_designated_teacher", Role.DESIGNATED_TEACHER,
                                              la_=other_la, school_=school),
    }
    child = ChildFactory(local_authority=la, first_name="Ruby", last_name="Testchild",
                         date_of_birth=dt.date(2012, 3, 14))
    other_child = ChildFactory(local_authority=la, first_name="Otto", last_name="Otherchild")
    for c, s, prefix in ((child, school, ""), (other_child, other_school, "outsider_")):
        child_services.care_episode_start(actor=None, child=c, entered_care_on=dt.date(2024, 9, 2))
        child_services.placement_start(actor=None, child=c, school=s, year_group=9,
                                       started_on=dt.date(2024, 9, 2))
        for key, role in (("social_worker", Role.SOCIAL_WORKER), ("carer", Role.CARER),
                          ("young_person", Role.YOUNG_PERSON)):
            child_services.team_link(actor=None, child=c, user=people[prefix + key], role=role,
                                     starts_on=TEAM_SINCE)
    child_services.team_link(actor=None, child=child, user=people["vs_officer"],
                             role=Role.VIRTUAL_SCHOOL, starts_on=TEAM_SINCE)
    return World(la=la, other_la=other_la, school=school, other_school=other_school, child=child,
                 other_child=other_child, people=people)


@pytest.fixture
def world(db) -> World:
    return build_world()


def _persona(name):
    @pytest.fixture
    def fixture(world):
        return world.people[name]

    fixture.__name__ = name
    return fixture


social_worker = _persona("social_worker")
designated_teacher = _persona("designated_teacher")
carer = _persona("carer")
young_person = _persona("young_person")
vs_officer = _persona("vs_officer")
admin_user = _persona("admin_user")
outsider = _persona("outsider_carer")


@pytest.fixture
def login(client):
    """Log a persona in on the test client (bypassing MFA set-up is not done here)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password() -> str:
    return PASSWORD
