"""The load test's data set: the demo data plus 100 people to sign in as, each with a caseload.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_load .venv/bin/python bench/load/seed_load.py

Creates the database if it is missing, migrates it, loads the demo data (`seed_demo`) and
then (once; later runs reuse it) the `LOAD` local authority: 30 schools with one designated
teacher each, 300 children in care (10 per school, 10 per social worker), 10 Virtual
School officers, 30 social workers, 30 designated teachers, 25 carers (of 40 children) and
5 young people (their own records). Every child has last term's approved PEP and this
term's draft PEP with every section filled in through `peps.services.sections.section_save`;
meetings, targets, PP+ requests, term dates and six terms of QA history come from the
apps' own demo seeders run on this LA. Staff get a TOTP authenticator with a known secret
(allauth's `TOTP.activate`), so the simulated users pass two-factor authentication the way
people do.

Writes var/bench/load/users.json: for each of the 100 people their email, password, role,
TOTP secret (none for carers and young people), children, the open PEPs and the section
letter they edit, meetings and one approved PEP for the PDF download. Runs with the local
settings (the demo seeder refuses others); the server under test runs production settings.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import random
import sys
from pathlib import Path

from core.roles import Role

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "var" / "bench" / "load" / "users.json"
PASSWORD = "load-test-pass-2026"  # nosec B105 - a benchmark login on a throwaway database

SCHOOLS = 30
CHILDREN_PER_SCHOOL = 10
VS_OFFICERS = 10
SOCIAL_WORKERS = 30
CARERS = 25  # the first 15 care for two children, the other 10 for one
YOUNG_PEOPLE = 5


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.local")
    os.environ.setdefault("DEBUG", "false")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, like postgres://postgres@127.0.0.1:5432/epep_load")
    from bench.pgdb import ensure_database

    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    # The services log every audit event on epep.security; thousands of lines say nothing here.
    logging.getLogger("epep.security").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0)



def totp_secret(email: str) -> str:
    """A fixed base32 secret per person, so a rebuilt data set keeps the same secrets."""
    return base64.b32encode(hashlib.sha256(f"epep-load:{email}".encode()).digest()[:20]).decode()


def _people(la, schools):
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    # One hash for everyone: scrypt is deliberately slow, and 100 identical passwords on a
    # throwaway database are fine.
    hashed = make_password(PASSWORD)
    specs = [(f"load-vs{i}@example.test", f"Load Virtual School {i}", Role.VIRTUAL_SCHOOL, None)
             for i in range(VS_OFFICERS)]
    specs += [(f"load-sw{i}@example.test", f"Load Social Worker {i}", Role.SOCIAL_WORKER, None)
              for i in range(SOCIAL_WORKERS)]
    specs += [(f"load-dt{i}@example.test", f"Load Designated Teacher {i}", Role.DESIGNATED_TEACHER, schools[i])
              for i in range(SCHOOLS)]
    specs += [(f"load-carer{i}@example.test", f"Load Carer {i}", Role.CARER, None) for i in range(CARERS)]
    specs += [(f"load-yp{i}@example.test", f"Load Young Person {i}", Role.YOUNG_PERSON, None)
              for i in range(YOUNG_PEOPLE)]
    people = {}
    for email, name, role, school in specs:
        user, created = User.objects.get_or_create(email=email, defaults={
            "full_name": name, "role": role, "local_authority": la, "school": school, "password": hashed})
        people[email] = user
    return people


def _authenticators(people) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    for email, user in people.items():
        if user.is_staff_role and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, totp_secret(email))


def build() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import LocalAuthority, School
    from children import services as child_services
    from children.models import Child, phase_for_year_group
    from peps.demo import _approved_history, sample_answers, save_answers
    from peps.services.config import section_config_defaults
    from peps.services.workflow import academic_year_for, pep_start, term_for

    la, _ = LocalAuthority.objects.get_or_create(code="LOAD", defaults={"name": "Loadshire County Council"})
    if Child.objects.filter(local_authority=la).count() >= SCHOOLS * CHILDREN_PER_SCHOOL:
        return
    print("Building the load data set (once, a few minutes)...", file=sys.stderr)
    rng = random.Random(100)  # nosec B311 - benchmark data, not security
    today = timezone.localdate()
    year0 = today.year if today.month >= 9 else today.year - 1
    with transaction.atomic():
        section_config_defaults(la=la)
        schools = [School.objects.update_or_create(
            urn=f"7{i:05d}", defaults={"name": f"Load School {i}", "phase": School.Phase.ALL_THROUGH,
                                       "ofsted_rating": School.Ofsted.GOOD, "local_authority": la})[0]
            for i in range(SCHOOLS)]
        people = _people(la, schools)
        _authenticators(people)
        sws = [people[f"load-sw{i}@example.test"] for i in range(SOCIAL_WORKERS)]
        carers = [people[f"load-carer{i}@example.test"] for i in range(CARERS)]
        carer_of = [c for i, c in enumerate(carers) for _ in range(2 if i < 15 else 1)]
        yps = [people[f"load-yp{i}@example.test"] for i in range(YOUNG_PEOPLE)]
        for n in range(SCHOOLS * CHILDREN_PER_SCHOOL):
            school = schools[n % SCHOOLS]
            # Years 1 to 13: school age and post-16 (both have sections A to E). The young
            # people who sign in are in Year 9.
            year_group = 9 if n < YOUNG_PEOPLE else 1 + n % 13
            birth_year = year0 - (year_group + 5)
            child = child_services.child_create(
                actor=None, local_authority=la, la_reference=f"LOAD{n:05d}", first_name=f"Loadchild{n}",
                last_name=f"Surname{n % 89}", date_of_birth=dt.date(birth_year, rng.randint(1, 8), rng.randint(1, 28)),
                gender=rng.choice([Child.Gender.FEMALE, Child.Gender.MALE]),
                legal_status=rng.choice([Child.LegalStatus.CO, Child.LegalStatus.S20]),
            )
            child_services.care_episode_start(actor=None, child=child,
                                              entered_care_on=today - dt.timedelta(days=rng.randint(200, 2000)))
            child_services.placement_start(actor=None, child=child, school=school, year_group=year_group,
                                           started_on=dt.date(year0 - 1, 9, 3))
            child_services.team_link(actor=None, child=child, user=sws[n // CHILDREN_PER_SCHOOL % SOCIAL_WORKERS],
                                     role=Role.SOCIAL_WORKER)
            if n < YOUNG_PEOPLE:
                child_services.team_link(actor=None, child=child, user=yps[n], role=Role.YOUNG_PERSON)
            if n < len(carer_of):
                child_services.team_link(actor=None, child=child, user=carer_of[n], role=Role.CARER)
            # Last term's approved PEP, then this term's draft with every section filled in
            # (as the system: the benchmark's people then save over it).
            phase = phase_for_year_group(year_group)
            _approved_history(child, phase, academic_year_for(today), term_for(today), 1, [], year_group)
            pep = pep_start(actor=None, child=child, kind="termly")
            for section in pep.sections.all():
                save_answers(actor=None, section=section,
                             answers=sample_answers(phase, section.letter, year_group=year_group),
                             version=section.version, mark_complete=True)
    # The apps' own demo seeders, on this LA: meetings for every PEP, targets and PP+,
    # term dates, and six terms of QA history for the dashboard.
    from deadlines import demo as deadlines_demo
    from meetings import demo as meetings_demo
    from quality import demo as quality_demo
    from targets import demo as targets_demo

    stand_ins = {"vs@demo.test": people["load-vs0@example.test"], "dt@demo.test": people["load-dt0@example.test"],
                 "sw@demo.test": people["load-sw0@example.test"]}
    for demo in (meetings_demo, targets_demo, deadlines_demo, quality_demo):
        with transaction.atomic():
            demo.seed(la, schools, stand_ins)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def write_users() -> None:
    from django.db.models import Q

    from accounts.models import LocalAuthority, User
    from meetings.models import Meeting
    from peps.models import Pep

    la = LocalAuthority.objects.get(code="LOAD")
    letters = {Role.SOCIAL_WORKER: "A", Role.DESIGNATED_TEACHER: "B", Role.YOUNG_PERSON: "C", Role.CARER: "D"}
    rows = []
    for user in User.objects.filter(local_authority=la, email__startswith="load-").order_by("pk"):
        if user.role == Role.VIRTUAL_SCHOOL:
            children = Q(child__local_authority=la)
        else:  # Designated teachers too: the LA links them to the children at their school.
            children = Q(child__team__user=user)
        peps = Pep.objects.filter(children).distinct()
        open_peps = list(peps.filter(status__in=Pep.OPEN_STATUSES).values_list("pk", flat=True).order_by("pk"))
        child_ids = sorted(set(peps.values_list("child_id", flat=True)))
        if user.role == Role.VIRTUAL_SCHOOL:
            # A VS officer looks at any of the LA's children: give each a slice of 30.
            i = int(user.email.removeprefix("load-vs").split("@")[0])
            child_ids = child_ids[i * 30:(i + 1) * 30]
            open_peps = list(peps.filter(status__in=Pep.OPEN_STATUSES, child_id__in=child_ids)
                             .values_list("pk", flat=True).order_by("pk"))
        approved = peps.filter(status=Pep.Status.APPROVED, child_id__in=child_ids).values_list("pk", flat=True)
        meetings = Meeting.objects.filter(pep__child_id__in=child_ids).values_list("pk", flat=True).order_by("pk")
        rows.append({
            "email": user.email, "password": PASSWORD, "role": user.role,
            "totp_secret": totp_secret(user.email) if user.is_staff_role else None,
            "children": child_ids, "open_peps": open_peps, "edit_letter": letters.get(user.role),
            "meetings": list(meetings[:30]), "approved_peps": list(approved[:5]),
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=1))
    by_role: dict[str, int] = {}
    for row in rows:
        by_role[row["role"]] = by_role.get(row["role"], 0) + 1
    print(f"{len(rows)} people written to {OUT.relative_to(ROOT)}: {by_role}", file=sys.stderr)


def main() -> None:
    setup()
    build()
    write_users()


if __name__ == "__main__":
    main()
