"""National-scale data for the deadline benchmark: 85,000 children in care in 153 LAs,
three years of PEP history, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_bench .venv/bin/python bench/generate_national.py
    DATABASE_URL=... .venv/bin/python bench/generate_national.py --scale 0.1     # 8,500 children

The database is created if missing, migrated, and then EMPTIED (every LA, person, school
and child in it is deleted): use a database of its own. Rows are written with COPY.

What it makes (at --scale 1): 153 LAs of very different sizes (the largest about 2,500
children) with the example term dates from 2023/24 to 2027/28 and a mix of deadline
settings; 24,500 schools (one in seven rated requires improvement or inadequate) each
with a designated teacher; a social worker per 15 children and five Virtual School
officers per LA; 85,000 children in care (entered over the last eight years, a few in the
last month, one in twelve with a change of school this term) each with a social worker
linked (and granted) and a current school; a PEP for every term in care since autumn
2023 (most met in time, some late, some missed; this term's half done, some waiting for
quality assurance) - about 650,000 PEPs; and a few hundred concern requests.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

from core.roles import Role

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)  # A Monday in the autumn term of 2026/27; the benchmark uses it too.
CHILDREN = 85_000
LAS = 153
SCHOOLS = 24_500


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own, like "
                 "postgres://postgres@127.0.0.1:5432/epep_bench")
    from bench.pgdb import ensure_database

    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


class Copier:
    """COPY rows into a model's table, filling the columns not given with their defaults."""

    def __init__(self, connection):
        self.connection = connection
        self.counts: dict[str, int] = {}

    def __call__(self, model, rows: list[dict]) -> None:
        fields = list(model._meta.concrete_fields)
        defaults = {}
        for f in fields:
            if f.has_default():
                value = f.get_default()
                defaults[f.attname] = value
            else:
                defaults[f.attname] = None if f.null else ""
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in rows:
            writer.writerow([self._fmt(row[f.attname] if f.attname in row else defaults[f.attname]) for f in fields])
        buf.seek(0)
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with self.connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')', buf)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)

    @staticmethod
    def _fmt(value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, dict | list):
            return json.dumps(value)
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return value


def la_sizes(total: int, count: int, rng: random.Random) -> list[int]:
    """Very unequal LA sizes, like England's (a few large counties, many small boroughs)."""
    weights = [rng.paretovariate(1.6) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [max(20, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    # Cap the largest near 2,500 (at full scale) and give the excess to the smallest.
    cap = max(60, int(2_500 * total / CHILDREN))
    for i, size in enumerate(sizes):
        if size > cap:
            excess, sizes[i] = size - cap, cap
            for j in sorted(range(count), key=lambda k: sizes[k])[: excess % count or count]:
                sizes[j] += excess // count + 1
    sizes[sizes.index(min(sizes))] += total - sum(sizes)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 85,000 children; 0.1 = 8,500")
    parser.add_argument("--seed", type=int, default=85_000)
    args = parser.parse_args()
    setup()

    from django.contrib.auth.models import Permission
    from django.db import connection, transaction

    from accounts.models import LocalAuthority, School, User
    from children.models import CareEpisode, Child, ChildUserObjectPermission, SchoolPlacement, TeamMembership
    from core import calendar as school_calendar
    from deadlines.demo import term_dates_csv
    from deadlines.models import ConcernRequest, DeadlineSettings, TermDates
    from peps.models import Pep

    rng = random.Random(args.seed)
    started = time.monotonic()
    n_children = int(CHILDREN * args.scale)
    n_schools = max(LAS * 2, int(SCHOOLS * args.scale))
    copy = Copier(connection)
    terms = school_calendar.parse_term_dates_csv(term_dates_csv([2023, 2024, 2025, 2026, 2027]))
    history = [t for t in terms if t.starts_on <= TODAY]  # autumn 2023/24 .. autumn 2026/27
    current = history[-1]
    now = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
    view_permission = Permission.objects.get(content_type__app_label="children", codename="view_child_record")

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('TRUNCATE "accounts_localauthority", "accounts_user", "timeliness_outbox", '
                           '"timeliness_notice" RESTART IDENTITY CASCADE')

        # Local authorities, their term dates and settings.
        las = [{"id": i + 1, "name": f"Bench Council {i + 1:03d}", "code": f"B{i + 1:03d}",
                "pp_plus_visible_to_family": False} for i in range(LAS)]
        copy(LocalAuthority, las)
        copy(TermDates, [
            {"id": n + 1, "local_authority_id": la["id"], "academic_year": t.academic_year, "term": t.name,
             "starts_on": t.starts_on, "ends_on": t.ends_on, "half_term_starts_on": t.half_term_starts_on,
             "half_term_ends_on": t.half_term_ends_on}
            for n, (la, t) in enumerate((la, t) for la in las for t in terms)])
        copy(DeadlineSettings, [
            {"id": la["id"], "local_authority_id": la["id"], "count_school_days": la["id"] % 10 == 0,
             "half_termly_for_ri_schools": la["id"] % 3 == 0,
             "post16_pattern": "staffordshire" if la["id"] % 7 == 0 else "termly"} for la in las])

        # Schools, each with a designated teacher; social workers; Virtual School officers.
        sizes = la_sizes(n_children, LAS, rng)
        school_las = [1 + (i * LAS) // n_schools for i in range(n_schools)]
        schools = [{"id": i + 1, "urn": f"{100000 + i}", "name": f"Bench School {i + 1}",
                    "phase": "secondary" if i % 3 else "primary",
                    "ofsted_rating": rng.choices(["outstanding", "good", "requires_improvement", "inadequate"],
                                                 [15, 70, 11, 4])[0],
                    "local_authority_id": school_las[i]} for i in range(n_schools)]
        copy(School, schools)
        schools_of_la: dict[int, list[int]] = {}
        for s in schools:
            schools_of_la.setdefault(s["local_authority_id"], []).append(s["id"])
        users = []

        def person(role: str, la_id: int, school_id: int | None = None) -> int:
            uid = len(users) + 1
            users.append({"id": uid, "password": "!unusable", "last_login": None, "is_superuser": False,
                          "email": f"{role}-{uid}@bench.invalid", "full_name": f"Bench {role.replace('_', ' ')} {uid}",
                          "role": role, "local_authority_id": la_id, "school_id": school_id, "is_active": True,
                          "is_staff": False, "date_joined": now})
            return uid

        # One designated teacher per school, registered by the school's own LA.
        teacher_of_school = {s["id"]: (person(Role.DESIGNATED_TEACHER, s["local_authority_id"], s["id"]),
                                       s["local_authority_id"]) for s in schools}
        officers = {la["id"]: [person(Role.VIRTUAL_SCHOOL, la["id"]) for _ in range(5)] for la in las}
        social_workers = {la["id"]: [person(Role.SOCIAL_WORKER, la["id"]) for _ in range(max(1, sizes[i] // 15))]
                          for i, la in enumerate(las)}
        copy(User, users)
        assert officers

        # Children, their care episodes, schools, social workers and PEP history.
        children, episodes, placements, links, grants, peps, concerns = [], [], [], [], [], [], []
        child_id = 0
        for la_index, la in enumerate(las):
            la_schools = schools_of_la[la["id"]]
            for _ in range(sizes[la_index]):
                child_id += 1
                year_group = rng.randint(-2, 13)
                dob = dt.date(2026 - (year_group + 5) - (1 if rng.random() < 0.6 else 0), rng.randint(1, 12),
                              rng.randint(1, 28))
                children.append({"id": child_id, "local_authority_id": la["id"], "la_reference": f"C{child_id:06d}",
                                 "first_name": f"Child{child_id}", "last_name": f"Bench{child_id % 997}",
                                 "preferred_name": "", "date_of_birth": dob, "gender": "not_known",
                                 "ethnicity": "", "first_language": "English", "upn": "", "legal_status": "co",
                                 "safeguarding_notes": "", "restricted_contacts": "", "created_at": now})
                roll = rng.random()
                if roll < 0.03:  # Entered care in the last month: an initial PEP is due.
                    entered = TODAY - dt.timedelta(days=rng.randint(0, 30))
                else:
                    entered = TODAY - dt.timedelta(days=rng.randint(31, 8 * 365))
                entered = max(entered, dob + dt.timedelta(days=30))
                episodes.append({"id": child_id, "child_id": child_id, "entered_care_on": entered,
                                 "left_care_on": None, "reason": ""})
                school = rng.choice(la_schools) if rng.random() < 0.8 else rng.randrange(1, n_schools + 1)
                moved = rng.random() < 1 / 12 and entered < current.starts_on
                if moved:  # A previous school, then a new one this term.
                    new_start = current.starts_on + dt.timedelta(days=rng.randint(0, (TODAY - current.starts_on).days))
                    placements.append({"id": len(placements) + 1, "child_id": child_id,
                                       "school_id": rng.choice(la_schools), "year_group": year_group,
                                       "started_on": entered, "ended_on": new_start - dt.timedelta(days=1),
                                       "part_time_timetable": False, "alternative_provision": ""})
                placements.append({"id": len(placements) + 1, "child_id": child_id, "school_id": school,
                                   "year_group": year_group, "started_on": new_start if moved else entered,
                                   "ended_on": None, "part_time_timetable": False, "alternative_provision": ""})
                sw = rng.choice(social_workers[la["id"]])
                links.append({"id": len(links) + 1, "user_id": sw, "child_id": child_id, "role": "social_worker",
                              "starts_on": entered, "ends_on": None})
                grants.append({"id": len(grants) + 1, "permission_id": view_permission.pk, "user_id": sw,
                               "content_object_id": child_id})
                # The school's designated teacher is linked when the child's own LA registered them
                # (children.services does the same when a placement starts); out of area, nobody is.
                teacher, teacher_la = teacher_of_school[school]
                if teacher_la == la["id"]:
                    links.append({"id": len(links) + 1, "user_id": teacher, "child_id": child_id,
                                  "role": "designated_teacher", "starts_on": new_start if moved else entered,
                                  "ends_on": None})
                    grants.append({"id": len(grants) + 1, "permission_id": view_permission.pk, "user_id": teacher,
                                   "content_object_id": child_id})
                first = entered >= history[0].starts_on  # Earlier initial PEPs are before the history.
                for term in history:
                    if term.ends_on < entered:
                        continue
                    kind = "initial" if first else "termly"
                    first = False
                    if term is current:
                        start = max(term.starts_on, entered)
                        if rng.random() < 0.55 and start < TODAY:
                            held = start + dt.timedelta(days=rng.randint(0, (TODAY - start).days - 1))
                            status = "submitted" if rng.random() < 0.2 else "approved"
                        elif rng.random() < 0.3:
                            held, status = None, "draft"
                        else:
                            continue
                    else:
                        r = rng.random()
                        if r < 0.03:
                            continue  # Missed.
                        start = max(term.starts_on, entered)
                        if r < 0.08:  # Late: in the first weeks of the holiday.
                            held = term.ends_on + dt.timedelta(days=rng.randint(1, 14))
                        else:
                            held = start + dt.timedelta(days=rng.randint(0, max(0, (term.ends_on - start).days)))
                        status = "approved"
                    approved_at = (dt.datetime.combine(held + dt.timedelta(days=rng.randint(2, 16)), dt.time(12),
                                                       tzinfo=dt.UTC) if status == "approved" else None)
                    peps.append({"id": len(peps) + 1, "child_id": child_id, "kind": kind,
                                 "phase": "early_years" if year_group < 0 else "post_16" if year_group > 11
                                 else "school_age", "academic_year": term.academic_year, "term": term.name,
                                 "status": status, "meeting_held_on": held, "school_id": school,
                                 "created_at": now, "approved_at": approved_at,
                                 "submitted_at": approved_at or (now if status == "submitted" else None)})
                if rng.random() < 0.005:
                    concerns.append({"id": len(concerns) + 1, "child_id": child_id, "requested_by_id": sw,
                                     "reason": "Benchmark concern", "created_at": now,
                                     "requested_on": TODAY - dt.timedelta(days=rng.randint(0, 20))})
        copy(Child, children)
        copy(CareEpisode, episodes)
        copy(SchoolPlacement, placements)
        copy(TeamMembership, links)
        copy(ChildUserObjectPermission, grants)
        copy(Pep, peps)
        copy(ConcernRequest, concerns)

        with connection.cursor() as cursor:
            for model in (LocalAuthority, TermDates, DeadlineSettings, School, User, Child, CareEpisode,
                          SchoolPlacement, TeamMembership, ChildUserObjectPermission, Pep, ConcernRequest):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f"COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for label, count in copy.counts.items():
        print(f"{label:40} {count:>9,}")
    print(f"Generated in {time.monotonic() - started:.1f} s (largest LA: {max(sizes):,} children).")


if __name__ == "__main__":
    main()
