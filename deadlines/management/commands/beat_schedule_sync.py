"""`python manage.py beat_schedule_sync`: write epep/celery.py's schedule to the database.

Celery beat (DatabaseScheduler) does the same when it starts; this lets a deployment
(or a test) check the schedule without starting beat.
"""

from __future__ import annotations

from celery import current_app
from django.core.management.base import BaseCommand
from django_celery_beat.schedulers import ModelEntry


class Command(BaseCommand):
    help = "Create or update the periodic tasks of the beat schedule."

    def handle(self, *args, **options):
        # The project's Celery app (epep.celery, loaded with the settings) is the current one.
        app = current_app._get_current_object()
        for name, entry in app.conf.beat_schedule.items():
            ModelEntry.from_entry(name, app=app, **entry)
            self.stdout.write(f"{name}: {entry['task']} {entry['schedule']}")
