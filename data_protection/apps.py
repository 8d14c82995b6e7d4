"""Data protection: subject-access exports and the retention review. It reads every app
(a child's whole record goes into the export), so it sits above the domain apps and none of
them imports it."""
from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "data_protection"
    verbose_name = "Data protection"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks

        from . import home

        # Its one panel (records past their retention date, for LA admins) stays beside the
        # children panels, where it was when it lived in children/.
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=accounts_hooks.FLOOR_ORDER["data_protection"])
