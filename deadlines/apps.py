from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    label = "timeliness"
    verbose_name = "PEP deadlines"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks

        from . import demo, home

        order = accounts_hooks.FLOOR_ORDER["deadlines"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
