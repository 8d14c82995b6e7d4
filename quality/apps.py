from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    label = "quality"
    verbose_name = "Quality assurance, dashboards and PDF copies"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks
        from core.audit import AFTER_WRITE
        from peps import hooks as peps_hooks

        from . import demo, home, services, warm

        order = accounts_hooks.FLOOR_ORDER["quality"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        # Every approval (from a QA review or anywhere else) stores the approved PDF.
        hooks.register(peps_hooks.AFTER_APPROVE, services.on_pep_approved)
        # Keep the dashboards people look at computed for the data's latest version.
        hooks.register(AFTER_WRITE, warm.data_changed)
