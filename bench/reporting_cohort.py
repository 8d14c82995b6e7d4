"""A generated cohort for reporting: children in care with three years of education records.

Used by bench/bench_reporting.py (2,500 children) and tests/quality/test_reporting.py (tens
to a few hundred). Deterministic for a seed; bulk_create, so no audit events and no services:
it is test and bench data, never demo data for a person to read.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

ETHNICITIES = ["WBRI", "WIRI", "MWBC", "BAFR", "ASIA", "REFU", ""]
SUBJECTS = ["English", "Maths", "Science"]


def build_cohort(*, la, schools, n: int, today: dt.date, seed: int = 17, prefix: str = "G") -> list:
    from children.models import CareEpisode, Child, SchoolPlacement
    from education.models import Attainment, Attendance, EetStatus, Exclusion, ExclusionReason, SenStatus
    from peps.models import Pep
    from quality.models import QaReview, Rag
    from targets.models import Category, PpPlusAllocation, PpPlusRequest

    rng = random.Random(seed)
    current = today.year if today.month >= 9 else today.year - 1
    years = [current - 2, current - 1, current]
    children = Child.objects.bulk_create(
        Child(local_authority=la, la_reference=f"{prefix}{i:06d}", first_name=f"Gen{i}", last_name=f"Cohort{i % 53}",
              date_of_birth=dt.date(2008 + i % 14, 1 + i % 12, 1 + i % 28),
              gender=rng.choice([Child.Gender.FEMALE, Child.Gender.MALE, Child.Gender.NOT_KNOWN]),
              ethnicity=rng.choice(ETHNICITIES)) for i in range(n))
    episodes, placements, sen, attendance, exclusions, attainment, eet, peps = [], [], [], [], [], [], [], []
    for i, c in enumerate(children):
        child_peps = []
        entered = dt.date(current - rng.randint(0, 5), rng.randint(1, 12), rng.randint(1, 28))
        entered = min(entered, today - dt.timedelta(days=5))
        left = None
        if rng.random() < 0.15:
            left = min(entered + dt.timedelta(days=rng.randint(60, 900)), today - dt.timedelta(days=1))
        split = entered + dt.timedelta(days=40)
        if i % 7 == 3 and split + dt.timedelta(days=2) < (left or today):
            # Some times in care are two episodes (SSDA903 starts a new one at each change of
            # placement or legal status): the next the day the last ended (one period of
            # care), or a day later (two periods).
            episodes += [CareEpisode(child=c, entered_care_on=entered, left_care_on=split),
                         CareEpisode(child=c, entered_care_on=split + dt.timedelta(days=(i // 7) % 2),
                                     left_care_on=left)]
        else:
            episodes.append(CareEpisode(child=c, entered_care_on=entered, left_care_on=left))
        # Year group in the first of the three years; it moves on each September.
        yg0 = rng.randint(-2, 13)
        school = rng.choice(schools)
        moved = rng.random() < 0.2
        placements.append(SchoolPlacement(child=c, school=school, year_group=max(-2, min(13, yg0)),
                                          started_on=dt.date(years[0], 9, 1),
                                          ended_on=dt.date(years[1], 12, 20) if moved else None))
        if moved:
            placements.append(SchoolPlacement(child=c, school=rng.choice(schools), year_group=max(-2, min(13, yg0 + 1)),
                                              started_on=dt.date(years[1], 12, 21)))
        status = rng.choice(["none", "none", "sen_support", "ehcp"])
        sen.append(SenStatus(child=c, status=status, starts_on=dt.date(years[0], 9, 1),
                             primary_need="" if status == "none" else "SEMH",
                             ehcp_started_on=dt.date(years[0], 9, 1) if status == "ehcp" else None,
                             maintaining_la=la if status == "ehcp" else None))
        if rng.random() < 0.3:
            sen.append(SenStatus(child=c, status="sen_support", starts_on=dt.date(years[1], 1, 10),
                                 primary_need="MLD"))
        for k, y in enumerate(years):
            yg = yg0 + k
            ay = f"{y}/{(y + 1) % 100:02d}"
            level = rng.choice([0.98, 0.95, 0.92, 0.85, 0.6, 0.4])
            for term, month in (("autumn", 10), ("spring", 2), ("summer", 6)):
                on = dt.date(y + (0 if month >= 9 else 1), month, 1)
                if on > today:
                    continue
                possible = rng.randint(100, 130)
                present = min(possible, int(possible * min(1, max(0, level + rng.uniform(-0.05, 0.05)))))
                attendance.append(Attendance(child=c, school=school, academic_year=ay, term=term,
                                             sessions_possible=possible, sessions_present=present,
                                             sessions_authorised_absence=possible - present))
                if rng.random() < 0.75:
                    # Only a child's latest PEP may be open (peps.Pep's constraint): the
                    # others are approved, and the last is made open below for some.
                    child_peps.append(Pep(child=c, kind=Pep.Kind.TERMLY, phase="school_age", academic_year=ay,
                                          term=term, status=Pep.Status.APPROVED, meeting_held_on=on))
                if rng.random() < 0.05:
                    kind = rng.choice([Exclusion.Kind.SUSPENSION] * 5 + [Exclusion.Kind.PERMANENT])
                    exclusions.append(Exclusion(
                        child=c, school=school, kind=kind, starts_on=on + dt.timedelta(days=rng.randint(0, 20)),
                        length=Decimal(rng.choice([1, 2, 3, 5])) if kind == Exclusion.Kind.SUSPENSION else None,
                        length_unit=rng.choice([Exclusion.Unit.DAYS, Exclusion.Unit.SESSIONS]),
                        reason=ExclusionReason.PD))
            if dt.date(y + 1, 7, 1) > today:
                continue
            def result(assessment, subject, value, grade_kind="", c=c, ay=ay):
                attainment.append(Attainment(child=c, academic_year=ay, term="summer", assessment=assessment,
                                             subject=subject, result=value, grade_kind=grade_kind))
            if yg == 0:
                result("eyfs", "Overall", rng.choice(["gld", "not_gld"]))
            elif yg == 1:
                result("phonics", "Phonics", rng.choice(["met", "met", "not_met"]))
            elif yg in (2, 6):
                ks = "ks1" if yg == 2 else "ks2"
                for s in ("Reading", "Writing", "Maths"):
                    result(ks, s, rng.choice(["wts", "exs", "exs", "gds"]))
            elif yg == 11:
                for s in ("English language", "Maths", "Science"):
                    result("gcse", s, rng.choice(["U", "2", "3", "4", "5", "6", "7"]), "actual")
                    result("gcse", s, "5", "target")
        if child_peps and rng.random() < 0.4:
            last = child_peps[-1]
            last.status = rng.choice([Pep.Status.SUBMITTED, Pep.Status.DRAFT, Pep.Status.RETURNED])
            last.meeting_held_on = None if last.status == Pep.Status.DRAFT else last.meeting_held_on
        peps.extend(child_peps)
        if yg0 + 2 >= 12:
            eet.append(EetStatus(child=c, status=rng.choice(["education", "neet", "training"]),
                                 starts_on=dt.date(current, 9, 2), provider="College"))
    CareEpisode.objects.bulk_create(episodes)
    SchoolPlacement.objects.bulk_create(placements)
    SenStatus.objects.bulk_create(sen)
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    Exclusion.objects.bulk_create(exclusions)
    Attainment.objects.bulk_create(attainment, batch_size=5000)
    EetStatus.objects.bulk_create(eet)
    peps = Pep.objects.bulk_create(peps, batch_size=5000)
    QaReview.objects.bulk_create(
        (QaReview(pep=p, overall=rng.choice([Rag.RED, Rag.AMBER, Rag.GREEN]), decision=QaReview.Decision.APPROVED)
         for p in peps if p.status in (Pep.Status.APPROVED, Pep.Status.RETURNED)), batch_size=5000)
    requests = []
    for p in peps:
        if rng.random() < 0.2:
            status = rng.choice(list(PpPlusRequest.Status))
            amount = Decimal(rng.choice([100, 250, 400]))
            fy = f"{int(p.academic_year[:4])}-{(int(p.academic_year[:4]) + 1) % 100:02d}"
            requests.append(PpPlusRequest(
                pep=p, child_id=p.child_id, amount=amount, what_it_buys="Tuition", category=rng.choice(list(Category)),
                status=status, financial_year=fy,
                approved_amount=(amount if status == PpPlusRequest.Status.APPROVED else amount / 2
                                 if status == PpPlusRequest.Status.PART_APPROVED else None)))
    PpPlusRequest.objects.bulk_create(requests, batch_size=5000)
    for y in years[1:]:
        PpPlusAllocation.objects.get_or_create(local_authority=la, financial_year=f"{y}-{(y + 1) % 100:02d}",
                                               defaults={"amount_per_child": Decimal("2570.00")})
    return children
