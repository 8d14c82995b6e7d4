"""The Celery application. Tasks live in each app's tasks.py; the schedule is below."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.local")

app = Celery("epep")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
