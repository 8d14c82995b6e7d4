"""Import children from a CSV file for one local authority: every row, or none."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from children import services
from children.importer import COLUMNS


class Command(BaseCommand):
    help = "Import children from a CSV file (columns: " + ", ".join(COLUMNS) + "). A file with any bad row " \
           "imports nothing and every bad row is listed."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file, UTF-8")
        parser.add_argument("--la", required=True, help="the local authority's code, like DEMO")

    def handle(self, *args, file: str, la: str, **options):
        authority = LocalAuthority.objects.filter(code__iexact=la).first()
        if authority is None:
            raise CommandError(f"No local authority has the code {la}")
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        # The command runs as "System" in the audit trail (no actor), like other batch jobs.
        result = services.children_import(actor=None, la=authority, data=data)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"line {error.line}: {error.message}")
            raise CommandError(f"Nothing was imported: the file has {len(result.errors)} problem(s).")
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows: {result.children_created} children added, {result.children_updated} changed, "
            f"{result.children_unchanged} unchanged."))
        details = {k: v for k, v in result.counts.items() if k not in ("rows", "children_created",
                                                                       "children_updated")}
        self.stdout.write("  " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in details.items()))
