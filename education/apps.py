from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Education record"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks

        from . import demo

        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=accounts_hooks.FLOOR_ORDER["education"])
