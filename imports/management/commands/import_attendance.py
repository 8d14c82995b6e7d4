"""`manage.py import_attendance FILE --as EMAIL --term autumn --year 2025/26`: a school's attendance CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from imports import policies, services
from imports.readers import FileProblem


class Command(BaseCommand):
    help = ("Record a term's attendance from a school's CSV (UPN, possible sessions, present, authorised and "
            "unauthorised absence), as the designated teacher or Virtual School officer given by --as: rows "
            "match only the children that person may see.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="email", required=True, help="the uploader's email address")
        parser.add_argument("--term", required=True, choices=["autumn", "spring", "summer"])
        parser.add_argument("--year", required=True, help="the academic year, like 2025/26")

    def handle(self, *args, file: str, email: str, term: str, year: str, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not policies.can_upload_attendance(user):
            raise CommandError(f"{email} is not a designated teacher or Virtual School officer with a login")
        try:
            result = services.attendance_import(actor=user, data=Path(file).read_bytes(), term=(year, term))
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        except FileProblem as exc:
            raise CommandError(f"Nothing was recorded: {exc}") from exc
        for line, message in result.problems + result.unmatched:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(self.style.SUCCESS(f"{result.rows} rows: {result.recorded} recorded, {result.unchanged} "
                                             f"unchanged, {len(result.unmatched)} not matched, "
                                             f"{len(result.problems)} with problems."))
