from django.apps import AppConfig


class PepsConfig(AppConfig):
    name = "peps"
    verbose_name = "Personal Education Plans"

    def ready(self) -> None:
        from education.chronology import register_source

        from .chronology import pep_events

        register_source(pep_events)
