"""Create the demo local authority, schools, logins, children and PEPs. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import plugins
from accounts.demo import DEMO_LOGINS, seed_people


class Command(BaseCommand):
    help = "Create demo data for a first run (refused outside local and test settings)."

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                la, schools, people = seed_people()
                plugins.seed_demo(la, schools, people)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins (password demo-pass-2026):"))
        for email, _name, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<20} {role.label}")
