"""About thirty demo children across three schools and every phase."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import School, User
from core.calendar import academic_year_start
from core.roles import Role

from . import services
from .models import Child
from .upn import with_check_letter

# Index 13 is the first Year 9 child: the young person's own record, so it has yp@demo.test's name.
FIRST = ["Amelia", "Noah", "Olivia", "Leo", "Isla", "Oscar", "Ava", "Arlo", "Ivy", "Theo",
         "Freya", "Finley", "Lily", "Jordan", "Mia", "Jack", "Grace", "Harry", "Sophia", "Alfie",
         "Ella", "Charlie", "Evie", "Freddie", "Poppy", "Teddy", "Ruby", "Henry", "Daisy", "Max"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
        "Wright", "Khan", "Evans", "Thomas", "Young", "Walker", "Hughes", "Green", "Hall",
        "Wood", "Clarke", "Lewis", "Edwards", "Turner", "Ahmed", "Hill", "Baker", "Cooper",
        "Ward", "Morris", "King"]


def seed(la, schools: list[School], people: dict[str, User]) -> list[Child]:
    if Child.objects.filter(local_authority=la).exists():
        return list(Child.objects.filter(local_authority=la))
    rng = random.Random(2026)
    today = timezone.localdate()
    year0 = academic_year_start(today)
    sw, vs = people["sw@demo.test"], people["vs@demo.test"]
    children = []
    # Year groups spread across early years (-2, -1), school age and post-16.
    year_groups = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10, 11, 11, 12, 12, 13,
                   13, 5, 6, 7, 8, 10, -1]
    for i, year_group in enumerate(year_groups):
        # Age on 1 September: year group + 5 (Reception children are 4 turning 5).
        birth_year = year0 - (year_group + 5)
        dob = dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        if dob.month >= 9:
            dob = dob.replace(year=birth_year - 1)
        child = services.child_create(
            actor=None, local_authority=la, la_reference=f"DEMO{i + 1:04d}",
            first_name=FIRST[i], last_name=LAST[i], date_of_birth=dob,
            gender=rng.choice([Child.Gender.FEMALE, Child.Gender.MALE]),
            ethnicity=rng.choice(["White British", "Mixed", "Asian British", "Black British"]),
            legal_status=rng.choice([Child.LegalStatus.CO, Child.LegalStatus.S20, Child.LegalStatus.ICO]),
            upn=with_check_letter(f"{99000000000 + i:011d}A") if i % 3 else "",
        )
        entered = today - dt.timedelta(days=rng.randint(40, 1400)) if i != 1 else today - dt.timedelta(days=10)
        services.care_episode_start(actor=None, child=child, entered_care_on=entered,
                                    reason="Demo episode")
        # Most children attend the DT's school (schools[0]); early years and post-16 attend the third.
        if year_group < 0 or year_group >= 12:
            school = schools[2]
        elif i % 4 == 0:
            school = schools[1]
        else:
            school = schools[0]
        services.placement_start(actor=None, child=child, school=school, year_group=year_group,
                                 started_on=max(entered, dt.date(year0, 9, 3)) if i % 5 else entered)
        services.team_link(actor=None, child=child, user=sw, role=Role.SOCIAL_WORKER)
        services.team_link(actor=None, child=child, user=vs, role=Role.VIRTUAL_SCHOOL)
        children.append(child)
    # The young person's own record is a Year 9 child; carer@ cares for two, carer2@ for one other.
    yp_child = next(c for c, yg in zip(children, year_groups, strict=True) if yg == 9)
    services.team_link(actor=None, child=yp_child, user=people["yp@demo.test"], role=Role.YOUNG_PERSON)
    services.team_link(actor=None, child=yp_child, user=people["carer@demo.test"], role=Role.CARER)
    services.team_link(actor=None, child=children[7], user=people["carer@demo.test"], role=Role.CARER)
    services.team_link(actor=None, child=children[8], user=people["carer2@demo.test"], role=Role.CARER)
    # Professional-only fields on a child whose carer can sign in, to show that carers never see them.
    services.child_update(
        actor=None, child=children[7],
        safeguarding_notes="Demo: birth father must not collect from school (court order, 2025).",
        restricted_contacts="Demo: birth father, Mr A. Example. No contact; do not disclose the school.",
    )
    assert people["dt@demo.test"].role == Role.DESIGNATED_TEACHER
    return children
