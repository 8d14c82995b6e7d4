"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings

from accounts.models import LocalAuthority, School, User
from children.models import CareEpisode, Child, SchoolPlacement
from core.roles import Role

PASSWORD = "correct-horse-battery-staple"


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Council {n}")
    code = factory.Sequence(lambda n: f"LA{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"Test School {n}")
    phase = School.Phase.SECONDARY
    ofsted_rating = School.Ofsted.GOOD
    local_authority = factory.SubFactory(LocalAuthorityFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.SOCIAL_WORKER
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    school = None

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    la_reference = factory.Sequence(lambda n: f"REF{n:05d}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = dt.date(2012, 5, 17)
    gender = Child.Gender.FEMALE


class CareEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareEpisode

    child = factory.SubFactory(ChildFactory)
    entered_care_on = dt.date(2025, 1, 6)


class SchoolPlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolPlacement

    child = factory.SubFactory(ChildFactory)
    school = factory.SubFactory(SchoolFactory)
    year_group = 9
    started_on = dt.date(2025, 9, 3)


assert settings  # factories import settings lazily through Django
