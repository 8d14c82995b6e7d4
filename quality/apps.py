from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    label = "quality"
    verbose_name = "Quality assurance, dashboards and PDF copies"

    def ready(self) -> None:
        from core.audit import on_write

        from . import warm

        # Keep the dashboards people look at computed for the data's latest version.
        on_write(warm.data_changed)
