"""`python manage.py import_term_dates FILE --la CODE`: a CSV or .ics of term dates, all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from core.calendar import TermDatesError
from imports import services


class Command(BaseCommand):
    help = ("Load a local authority's term dates, INSET and closure days from a CSV (dates DD/MM/YYYY or "
            "YYYY-MM-DD) or an iCalendar (.ics) file. A file with any bad row loads nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--la", required=True, help="The local authority's code")

    def handle(self, *args, file: Path, la: str, **options):
        authority = LocalAuthority.objects.filter(code=la).first()
        if authority is None:
            raise CommandError(f'No local authority has the code "{la}"')
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            saved, days_off = services.term_dates_file_import(actor=None, local_authority=authority, data=data,
                                                              filename=file.name)
        except TermDatesError as exc:
            for line, problem in exc.errors:
                self.stderr.write(f"line {line}: {problem}" if line else problem)
            raise CommandError(f"Nothing was imported: the file has {len(exc.errors)} problem(s).") from exc
        days = sum(len(span.days()) for span in days_off)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(saved)} terms and {days} INSET or closure days for "
                                             f"{authority.name}."))
