"""`manage.py import_903 --la CODE --header FILE --episodes FILE [--names FILE]` (or --header FILE.xml)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from imports import services
from imports.readers import FileProblem


def _read(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc


class Command(BaseCommand):
    help = ("Import an SSDA903 return for one local authority: the header and episodes tables as CSV (dates "
            "DD/MM/YYYY), or the XML form as --header. Rows that cannot be used are listed and skipped; the DfE's "
            "validation rules are shown as warnings. Importing the same files again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="the local authority's code in the portal")
        parser.add_argument("--header", required=True, help="the header table (CSV), or the whole return (XML)")
        parser.add_argument("--episodes", help="the episodes table (CSV); not needed with XML")
        parser.add_argument("--names", help="optional CSV: CHILD, first name, last name, preferred name")
        parser.add_argument("--no-validation", action="store_true", help="skip the DfE validation rules")

    def handle(self, *args, la: str, header: str, episodes: str | None, names: str | None, no_validation: bool,
               **options):
        authority = LocalAuthority.objects.filter(code__iexact=la).first()
        if authority is None:
            raise CommandError(f"No local authority has the code {la}")
        try:
            # The command runs as "System" in the audit trail (no actor), like other batch jobs.
            result = services.ssda903_import(actor=None, la=authority, header=_read(header) or b"",
                                             episodes=_read(episodes), names=_read(names),
                                             run_validator=not no_validation)
        except FileProblem as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        for problem in result.problems:
            kind = "warning" if problem.warning else "skipped"
            self.stderr.write(f"{problem.table} line {problem.line}: {kind}: {problem.message}")
        findings = result.validation.get("findings", [])
        if result.validation.get("error"):
            self.stderr.write(result.validation["error"])
        for finding in findings:
            self.stderr.write(f"DfE rule {finding['code']} (child {finding['child']}): {finding['message']}")
        self.stdout.write(self.style.SUCCESS(
            f"{result.header_rows} children and {result.episode_rows} episodes read: {result.children_created} "
            f"children added, {result.children_updated} changed, {result.children_unchanged} unchanged, "
            f"{len(result.errors)} rows skipped, {len(result.warnings)} warnings, "
            f"{result.validation.get('counted', 0)} DfE validation findings."))
        self.stdout.write(f"  times in care started: {result.times_in_care_started}, changed: "
                          f"{result.times_in_care_changed}, left care: {result.left_care}; episodes added: "
                          f"{result.episodes_added}, changed: {result.episodes_changed}")
