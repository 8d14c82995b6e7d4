from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        from epep import notify  # noqa: F401 - registers its settings check

        from . import signals  # noqa: F401
