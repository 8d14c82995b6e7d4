"""The Celery application. Tasks live in each app's tasks.py; the schedule is below.

The beat schedule lives here and only here. Beat runs django-celery-beat's
DatabaseScheduler (CELERY_BEAT_SCHEDULER), which writes these entries into its
PeriodicTask table when it starts, so they can also be seen (and paused) in the admin;
`python manage.py beat_schedule_sync` writes them without starting beat.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.local")

app = Celery("epep")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# autodiscover_tasks looks for "<app>.tasks" of each installed app; sub-apps are found too.

BEAT_SCHEDULE = {
    # Every night at 00:05 UK time: check the kept deadline status against a fresh
    # recompute (and mend any LA that differs), then roll every LA to the new day
    # (deadlines.status.nightly). flag_overdue at 06:00 reads what this leaves.
    "deadline-status-nightly": {
        "task": "timeliness.deadline_status_nightly",
        "schedule": crontab(minute="5", hour="0", app=app),
    },
    # Every morning at 06:00 UK time (crontab follows CELERY_TIMEZONE, Europe/London, so
    # it stays 06:00 across the clock changes): flag overdue and due-soon PEP deadlines
    # and send the digests.
    "flag-overdue-pep-deadlines": {
        "task": "timeliness.flag_overdue",
        "schedule": crontab(minute="0", hour="6", app=app),
    },
    # Every minute: send any email still in the outbox (the broker was down when it was
    # written, or its delivery task was lost).
    "outbox-sweep": {
        "task": "timeliness.outbox_sweep",
        "schedule": crontab(minute="*", app=app),
        "options": {"expire_seconds": 55},
    },
    # The 1st of every month at 05:00 UK time: list each LA's children past their
    # destroy-after date (75th birthday) and email the LA admins to confirm deletion.
    "retention-review": {
        "task": "children.retention_review",
        "schedule": crontab(minute="0", hour="5", day_of_month="1", app=app),
    },
    # Every five minutes: render the stored PDF of any approved PEP that has none and build
    # any export still queued (their tasks were lost, or the broker was down when queued).
    "quality-catch-up": {
        "task": "quality.catch_up",
        "schedule": crontab(minute="*/5", app=app),
        "options": {"expire_seconds": 280},
    },
    # Every five minutes: build any subject-access export still waiting to start.
    "subject-access-catch-up": {
        "task": "children.subject_access_catch_up",
        "schedule": crontab(minute="*/5", app=app),
        "options": {"expire_seconds": 280},
    },
    # Every five minutes: run any SSDA903 import still waiting to start.
    "ssda903-import-catch-up": {
        "task": "imports.ssda903_catch_up",
        "schedule": crontab(minute="*/5", app=app),
        "options": {"expire_seconds": 280},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
