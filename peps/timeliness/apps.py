from django.apps import AppConfig


class TimelinessConfig(AppConfig):
    name = "peps.timeliness"
    label = "timeliness"
    verbose_name = "PEP deadlines"
