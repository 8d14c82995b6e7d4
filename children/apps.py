from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "Children in care"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks

        from . import demo, home, services

        order = accounts_hooks.FLOOR_ORDER["children"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        # A designated teacher registered by an LA is linked to that LA's children at their school.
        hooks.register(accounts_hooks.PERSON_REGISTERED, services.designated_teacher_registered)
