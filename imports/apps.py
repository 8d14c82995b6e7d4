from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports (SSDA903, GIAS, attendance, term dates)"
    default_auto_field = "django.db.models.BigAutoField"
