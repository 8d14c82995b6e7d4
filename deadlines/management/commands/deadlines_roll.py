"""`python manage.py deadlines_roll [--la CODE]`: recompute every LA's kept deadline status
for today, what the nightly task does; `make run` runs it after seeding the demo, and it is
the step after any load of data that did not go through the services."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from deadlines import status


class Command(BaseCommand):
    help = "Recompute the kept deadline status of every LA (or one) for today."

    def add_arguments(self, parser):
        parser.add_argument("--la", help="Only this local authority (its code)")

    def handle(self, *args, la: str | None = None, **options):
        la_ids = None
        if la:
            found = LocalAuthority.objects.filter(code=la).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f'No local authority has the code "{la}"')
            la_ids = [found]
        result = status.roll(la_ids=la_ids)
        self.stdout.write(f"Deadline status for {result.day:%-d %B %Y}: {result.local_authorities} local "
                          f"authorities, {result.rows} deadlines")
