"""`python manage.py deadlines_drift [--fix] [--la CODE]`: compare the kept deadline status
with a fresh recompute by the engine; exit 1 if they differ."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from deadlines import status

SHOWN = 20  # differences printed per LA


class Command(BaseCommand):
    help = ("Recompute every LA's deadlines for the day its kept status holds and print any difference "
            "(a write that did not refresh it). Exits 1 when there is one.")

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Replace the rows of every LA that differs")
        parser.add_argument("--la", help="Only this local authority (its code)")

    def handle(self, *args, fix: bool = False, la: str | None = None, **options):
        la_ids = None
        if la:
            found = LocalAuthority.objects.filter(code=la).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f'No local authority has the code "{la}"')
            la_ids = [found]
        checked = len(status.days_of(la_ids))
        drifted = status.drift(la_ids=la_ids, fix=fix)
        for d in drifted:
            self.stdout.write(f"LA {d.local_authority_id} ({d.day}): {len(d.missing)} missing, "
                              f"{len(d.unexpected)} unexpected{' - fixed' if fix else ''}")
            for label, rows in (("missing", d.missing), ("unexpected", d.unexpected)):
                for r in rows[:SHOWN]:
                    self.stdout.write(f"  {label}: {dict(zip(status.COLUMNS, r, strict=True))}")
        if drifted:
            self.stdout.write(f"{len(drifted)} of {checked} local authorities differ")
            sys.exit(1)
        self.stdout.write(f"No drift: {checked} local authorities checked")
