"""`python manage.py flag_overdue [--today YYYY-MM-DD]`: the daily run, by hand."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from deadlines import services


def parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f'--today "{value}" is not a date like 2026-11-23') from exc


class Command(BaseCommand):
    help = "Flag overdue and due-soon PEP deadlines and send the day's notices (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, today: str | None = None, **options):
        result = services.flag_overdue(today=parse_day(today))
        self.stdout.write(
            f"{result.day}: {result.deadlines} deadlines, {result.overdue} overdue, {result.due_soon} due soon; "
            f"{result.digests} digests and {result.overdue_notices} overdue notices queued."
        )
