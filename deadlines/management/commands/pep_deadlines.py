"""`python manage.py pep_deadlines --la CODE [--today YYYY-MM-DD] --format csv`."""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from deadlines import selectors

from .flag_overdue import parse_day


class Command(BaseCommand):
    help = "Print every current PEP deadline of a local authority's children."

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="The local authority's code")
        parser.add_argument("--today", help="Work out the deadlines as on this date (YYYY-MM-DD)")
        parser.add_argument("--format", choices=["csv"], default="csv")

    def handle(self, *args, la: str, today: str | None = None, **options):
        authority = LocalAuthority.objects.filter(code=la).first()
        if authority is None:
            raise CommandError(f'No local authority has the code "{la}"')
        rows = selectors.deadlines_for_la(authority, today=parse_day(today))
        rows.sort(key=lambda d: (d.child_ref, d.due_on, d.kind))
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["child_ref", "kind", "due_on", "status"])
        for d in rows:
            writer.writerow([d.child_ref, d.kind, d.due_on.isoformat(), d.status])
