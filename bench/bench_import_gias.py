"""The GIAS import of the whole national file: a generated 50,000-row, 140-column file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_imports .venv/bin/python bench/bench_import_gias.py

Goal (issue 16): ≤ 60 s. The file is written as GIAS publishes it (Windows-1252 / ISO-8859-1,
CRLF, every cell quoted where needed, names like "St Aidan’s"), with the columns the import
reads among 130 others. Also timed: the same file again (nothing changes, no audit event)
and a file where 2,000 Ofsted ratings and 500 names changed.
"""

from __future__ import annotations

import csv
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = 50_000
OTHER = ["EstablishmentNumber", "TypeOfEstablishment (code)", "EstablishmentTypeGroup (code)",
         "EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "ReasonEstablishmentOpened (code)",
         "ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
         "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "StatutoryLowAge",
         "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
         "OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
         "ReligiousCharacter (code)", "ReligiousCharacter (name)", "Diocese (code)", "Diocese (name)",
         "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity", "SpecialClasses (code)",
         "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys", "NumberOfGirls", "PercentageFSM",
         "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)", "UKPRN", "Street",
         "Locality", "Address3", "Town", "County (name)", "SchoolWebsite", "TelephoneNum", "HeadTitle (name)",
         "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "GOR (code)", "GOR (name)",
         "DistrictAdministrative (code)", "DistrictAdministrative (name)", "ParliamentaryConstituency (code)",
         "ParliamentaryConstituency (name)", "UrbanRural (code)", "UrbanRural (name)", "Easting", "Northing",
         "OfstedLastInsp"]
COLUMNS = ["URN", "LA (code)", "LA (name)", "EstablishmentName", "TypeOfEstablishment (name)",
           "EstablishmentStatus (name)", "PhaseOfEducation (name)", "Postcode", "OfstedRating (name)", *OTHER]
COLUMNS += [f"SEN{n} (name)" for n in range(1, 141 - len(COLUMNS))]
assert len(COLUMNS) == 140
TYPES = [("Community school", "Primary"), ("Academy converter", "Secondary"), ("Voluntary aided school", "Primary"),
         ("LA nursery school", "Not applicable"), ("Community special school", "Not applicable"),
         ("Pupil referral unit", "Not applicable"), ("Further education", "16 plus"),
         ("Free schools", "All-through")]
RATINGS = ["Outstanding", "Good", "Good", "Requires improvement", "Inadequate", ""]
STATUSES = ["Open"] * 4 + ["Closed"]
NAMES = ["St Aidan’s", "Ysgol Gymraeg Bro Ogwr", "École Française", "Holy Trinity", "Oakfield", "Brook Lane"]


def generate(rng: random.Random, rows: list[list[str]] | None = None) -> tuple[bytes, list[list[str]]]:
    if rows is None:
        rows = []
        for i in range(ROWS):
            type_name, phase = rng.choice(TYPES)
            la = 201 + i % 152
            rows.append([str(100000 + i), str(la), f"Authority {la}", f"{rng.choice(NAMES)} School {i}", type_name,
                         rng.choice(STATUSES), phase, f"ST{i % 99} {i % 9}AB", rng.choice(RATINGS),
                         *[str(rng.randint(0, 999)) if n % 3 else f"Text value {n}" for n in
                           range(len(COLUMNS) - 9)]])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("cp1252"), rows


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the goal is measured there)")
    from bench.pgdb import ensure_database

    ensure_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import School
    from children.models import SchoolPlacement
    from core.models import AuditEvent
    from imports import services

    used = set(SchoolPlacement.objects.values_list("school__urn", flat=True))
    School.objects.filter(urn__gte="100000", urn__lt="150000").exclude(urn__in=used) \
        .exclude(staff__isnull=False).delete()
    rng = random.Random(50_000)
    data, rows = generate(rng)
    path = ROOT / "var" / "bench" / "edubasealldata_generated.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"file: {path} ({len(data) / 1024 / 1024:.1f} MB, {len(rows)} rows, {len(COLUMNS)} columns)", flush=True)

    def timed(label: str, payload: bytes, **kwargs):
        start = time.perf_counter()
        result = services.gias_import(actor=None, data=payload, **kwargs)
        seconds = time.perf_counter() - start
        print(f"{label:<40} {seconds:6.2f} s  {result.counts} problems={len(result.problems)}", flush=True)
        return result, seconds

    first, first_seconds = timed("whole file, closed schools kept", data, include_closed=True)
    events = AuditEvent.objects.count()
    again, _ = timed("the same file again", data, include_closed=True)
    assert again.created == again.updated == 0 and AuditEvent.objects.count() == events
    for number, row in enumerate(rows):
        if number % 25 == 0:
            row[8] = "Requires improvement" if row[8] != "Requires improvement" else "Good"
        if number % 100 == 1:
            row[3] += " (renamed)"
    changed, _ = generate(rng, rows)
    timed("2,000 ratings and 500 names changed", changed, include_closed=True)
    verdict = "under" if first_seconds <= 60 else "OVER"
    print(f"RESULT: {ROWS} rows × {len(COLUMNS)} columns imported in {first_seconds:.2f} s ({verdict} the 60 s goal)",
          flush=True)


if __name__ == "__main__":
    main()
