"""`python manage.py import_term_dates FILE.csv --la CODE`: all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from peps.deadlines import TermDatesError
from peps.timeliness import services


class Command(BaseCommand):
    help = "Load a local authority's term dates from a CSV file (a file with any bad row loads nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--la", required=True, help="The local authority's code")

    def handle(self, *args, file: Path, la: str, **options):
        authority = LocalAuthority.objects.filter(code=la).first()
        if authority is None:
            raise CommandError(f'No local authority has the code "{la}"')
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            saved = services.term_dates_import(actor=None, local_authority=authority, text=text)
        except TermDatesError as exc:
            for line, problem in exc.errors:
                self.stderr.write(f"line {line}: {problem}" if line else problem)
            raise CommandError(f"Nothing was imported: the file has {len(exc.errors)} problem(s).") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {len(saved)} terms for {authority.name}."))
