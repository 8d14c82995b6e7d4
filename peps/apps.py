from django.apps import AppConfig


class PepsConfig(AppConfig):
    name = "peps"
    verbose_name = "Personal Education Plans"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks
        from education import hooks as education_hooks

        from . import demo, home
        from .chronology import pep_events

        order = accounts_hooks.FLOOR_ORDER["peps"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        hooks.register(education_hooks.CHRONOLOGY_SOURCE, pep_events)
