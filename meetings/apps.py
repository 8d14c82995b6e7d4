from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "PEP meetings"

    def ready(self) -> None:
        from education.chronology import register_source

        from .chronology import meeting_events

        register_source(meeting_events)
