from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    label = "timeliness"
    verbose_name = "PEP deadlines"
