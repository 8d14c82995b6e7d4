"""Demo organisations and logins (local settings only)."""

from __future__ import annotations

from django.conf import settings

from core.roles import Role

from .models import LegalDetails, LocalAuthority, School, User

DEMO_LOGINS = [
    ("admin@demo.test", "Alex Admin", Role.LA_ADMIN),
    ("vs@demo.test", "Val Virtual", Role.VIRTUAL_SCHOOL),
    ("sw@demo.test", "Sam Social", Role.SOCIAL_WORKER),
    ("dt@demo.test", "Dee Teacher", Role.DESIGNATED_TEACHER),
    ("carer@demo.test", "Chris Carer", Role.CARER),
    ("carer2@demo.test", "Casey Carer", Role.CARER),
    ("yp@demo.test", "Jordan Young", Role.YOUNG_PERSON),
]

SCHOOLS = [
    ("990001", "Oakfield Academy", School.Phase.SECONDARY, School.Ofsted.GOOD),
    ("990002", "Brook Lane Primary School", School.Phase.PRIMARY, School.Ofsted.REQUIRES_IMPROVEMENT),
    ("990003", "Little Acorns Nursery and Sixth Form College", School.Phase.ALL_THROUGH, School.Ofsted.OUTSTANDING),
]


def seed_people() -> tuple[LocalAuthority, list[School], dict[str, User]]:
    if not settings.DEMO_LOGINS_ALLOWED:
        raise RuntimeError("Demo logins are refused outside local and test settings.")
    la, _ = LocalAuthority.objects.get_or_create(code="DEMO", defaults={"name": "Demoshire County Council"})
    LocalAuthority.objects.get_or_create(code="OTHER", defaults={"name": "Otherborough Council"})
    LegalDetails.objects.get_or_create(local_authority=la, defaults={
        "contact_email": "virtual.school@demoshire.example", "contact_phone": "01234 567890",
        "dpo_name": "Data Protection Officer, Demoshire County Council", "dpo_email": "dpo@demoshire.example",
        "postal_address": "County Hall\nDemotown\nDE1 2MO", "ico_registration": "Z0000000"})
    schools = []
    for urn, name, phase, rating in SCHOOLS:
        school, _ = School.objects.update_or_create(
            urn=urn, defaults={"name": name, "phase": phase, "ofsted_rating": rating, "local_authority": la}
        )
        schools.append(school)
    people = {}
    for email, name, role in DEMO_LOGINS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=settings.DEMO_PASSWORD, full_name=name, role=role,
                local_authority=la, school=schools[0] if role == Role.DESIGNATED_TEACHER else None,
            )
        people[email] = user
    return la, schools, people
