from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "peps.quality"
    label = "quality"
    verbose_name = "Quality assurance, dashboards and PDF copies"
