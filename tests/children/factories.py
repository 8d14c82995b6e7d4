"""Factories and builders for children's tests (the shared ones are in tests/factories.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import factory
from django.contrib.auth.models import Permission

from accounts.models import User
from children.importer import COLUMNS
from children.models import Child, ChildUserObjectPermission, SchoolPlacement, TeamMembership
from children.policies import VIEW_PERMISSION
from core.roles import Role
from tests.factories import ChildFactory, UserFactory


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    """A link without its guardian grant: use children.services.team_link for a working one."""

    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    child = factory.SubFactory(ChildFactory)
    role = Role.SOCIAL_WORKER


def many_children(n: int, *, la, school, social_worker=None, carer=None, prefix: str = "MANY") -> list[Child]:
    """n children of the LA at the school, linked (with grants) to the social worker and carer, and to
    the school's designated teachers the LA registered (as children.services does), in bulk."""
    children = Child.objects.bulk_create(
        Child(local_authority=la, la_reference=f"{prefix}{i:05d}", first_name=f"Kid{i}", last_name=f"Many{i % 7}",
              date_of_birth=dt.date(2012, 1 + i % 12, 1 + i % 28)) for i in range(n))
    SchoolPlacement.objects.bulk_create(
        SchoolPlacement(child=c, school=school, year_group=3 + i % 9, started_on=dt.date(2024, 9, 2))
        for i, c in enumerate(children))
    permission = Permission.objects.get(content_type__app_label="children", codename=VIEW_PERMISSION)
    links, grants = [], []
    for user, role in ((social_worker, Role.SOCIAL_WORKER), (carer, Role.CARER)):
        if user is None:
            continue
        links += [TeamMembership(user=user, child=c, role=role, starts_on=dt.date(2024, 9, 2)) for c in children]
        grants += [ChildUserObjectPermission(user=user, content_object=c, permission=permission) for c in children]
    for teacher in User.objects.filter(role=Role.DESIGNATED_TEACHER, school=school, local_authority=la):
        links += [TeamMembership(user=teacher, child=c, role=Role.DESIGNATED_TEACHER,
                                 starts_on=dt.date(2024, 9, 2)) for c in children]
        grants += [ChildUserObjectPermission(user=teacher, content_object=c, permission=permission) for c in children]
    TeamMembership.objects.bulk_create(links)
    ChildUserObjectPermission.objects.bulk_create(grants)
    return children


def import_row(**overrides) -> dict[str, str]:
    row = {
        "child_ref": "IMP00001", "first_name": "Isla", "last_name": "Import", "date_of_birth": "2013-04-02",
        "gender": "female", "upn": "", "entered_care_on": "2024-10-01", "school_urn": "", "school_started_on": "",
        "year_group": "", "social_worker_email": "", "designated_teacher_email": "", "carer_emails": "",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
