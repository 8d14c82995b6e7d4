"""Create the demo local authority, schools, logins, children and PEPs. Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_LOGINS, seed_people
from accounts.hooks import DEMO_SEED
from core import hooks


class Command(BaseCommand):
    help = "Create demo data for a first run (refused outside local and test settings)."

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                la, schools, people = seed_people()
                # Each app's demo data, in floor order (accounts.hooks.FLOOR_ORDER).
                for seed in hooks.get_hooks(DEMO_SEED):
                    seed(la, schools, people)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Logins (password demo-pass-2026):"))
        for email, _name, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<20} {role.label}")
