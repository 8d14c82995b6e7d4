from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "Children in care"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks
        from core.audit import CHILD_LA

        from . import demo, home, selectors, services

        order = accounts_hooks.FLOOR_ORDER["children"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        # A designated teacher registered by an LA is linked to that LA's children at their school.
        hooks.register(accounts_hooks.PERSON_REGISTERED, services.designated_teacher_registered)
        # The per-LA versions of the data (core.audit): a write about a child is a write in its LA.
        hooks.register(CHILD_LA, selectors.local_authority_id_of_child)
