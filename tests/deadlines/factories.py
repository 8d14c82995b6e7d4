"""Factories and builders for the deadline tests."""

from __future__ import annotations

import datetime as dt

import factory

from children import services as child_services
from core.roles import Role
from deadlines import services
from deadlines.demo import term_dates_csv
from deadlines.models import ConcernRequest, DeadlineSettings
from peps.models import Pep
from tests.factories import ChildFactory, LocalAuthorityFactory, SchoolFactory


class PepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pep

    child = factory.SubFactory(ChildFactory)
    kind = Pep.Kind.TERMLY
    phase = "school_age"
    academic_year = "2026/27"
    term = "autumn"
    status = Pep.Status.APPROVED


class ConcernRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernRequest

    child = factory.SubFactory(ChildFactory)
    reason = "Worried about attendance"
    requested_on = dt.date(2026, 11, 19)


def la_with_calendar(code: str = "CAL", **settings) -> object:
    """An LA with the example term dates for 2025/26 to 2027/28 and the given settings."""
    la = LocalAuthorityFactory(code=code, name=f"{code} Council")
    services.term_dates_import(actor=None, local_authority=la, text=term_dates_csv([2025, 2026, 2027]))
    if settings:
        DeadlineSettings.objects.create(local_authority=la, **settings)
    return la


def child_in_care(la, *, entered: dt.date, school=None, year_group: int = 9, placed: dt.date | None = None,
                  dob: dt.date = dt.date(2012, 5, 17), ref: str | None = None, social_worker=None):
    """A child of the LA in care since ``entered``, at ``school`` from ``placed`` (or no school)."""
    kwargs = {"la_reference": ref} if ref else {}
    child = ChildFactory(local_authority=la, date_of_birth=dob, **kwargs)
    child_services.care_episode_start(actor=None, child=child, entered_care_on=entered)
    if school is not None:
        child_services.placement_start(actor=None, child=child, school=school, year_group=year_group,
                                       started_on=placed or entered)
    if social_worker is not None:
        child_services.team_link(actor=None, child=child, user=social_worker, role=Role.SOCIAL_WORKER,
                                  starts_on=entered)
    return child


def school_in(la, **kwargs):
    return SchoolFactory(local_authority=la, **kwargs)
