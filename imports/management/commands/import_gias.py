"""`manage.py import_gias FILE [--include-closed]`: the national list of schools from GIAS."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import services
from imports.readers import FileProblem


class Command(BaseCommand):
    help = ("Add and update schools from a GIAS establishments file (edubasealldata….csv, ISO-8859-1). Open "
            "schools only unless --include-closed; a school already recorded has its name, Ofsted rating and "
            "status updated.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--include-closed", action="store_true", help="keep closed schools too, marked closed")

    def handle(self, *args, file: str, include_closed: bool, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            result = services.gias_import(actor=None, data=data, include_closed=include_closed)
        except FileProblem as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        for line, problem in result.problems[:200]:
            self.stderr.write(f"line {line}: skipped: {problem}")
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows: {result.created} schools added, {result.updated} updated, {result.unchanged} "
            f"unchanged, {result.closed_skipped} closed schools skipped, {len(result.problems)} rows skipped; "
            f"{result.ratings_changed} Ofsted ratings changed ({result.children_review_rule_changed} children's "
            f"review rule re-evaluated)."))
