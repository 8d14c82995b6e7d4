from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "Children in care"

    def ready(self) -> None:
        from accounts import plugins

        from . import services

        # A designated teacher registered by an LA is linked to that LA's children at their school.
        plugins.on_person_registered(services.designated_teacher_registered)
