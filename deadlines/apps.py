from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    label = "timeliness"
    verbose_name = "PEP deadlines"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks
        from core.audit import IN_WRITE
        from core.calendar import LA_CALENDAR

        from . import demo, home, selectors, status

        order = accounts_hooks.FLOOR_ORDER["deadlines"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        # The LA's term dates, for the apps below (meetings, peps) that need its terms.
        hooks.register(LA_CALENDAR, selectors.calendar_for)
        # The per-child deadline status, kept in the transaction of every write to its inputs.
        hooks.register(IN_WRITE, status.on_write)
