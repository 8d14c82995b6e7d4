"""`python manage.py beat_schedule_sync`: write epep/celery.py's schedule to the database.

Celery beat (DatabaseScheduler) does the same when it starts; this lets a deployment
(or a test) check the schedule without starting beat.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_celery_beat.schedulers import ModelEntry

from epep.celery import BEAT_SCHEDULE, app


class Command(BaseCommand):
    help = "Create or update the periodic tasks of the beat schedule."

    def handle(self, *args, **options):
        for name, entry in BEAT_SCHEDULE.items():
            ModelEntry.from_entry(name, app=app, **entry)
            self.stdout.write(f"{name}: {entry['task']} {entry['schedule']}")
