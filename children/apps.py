from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "Children in care"

    def ready(self) -> None:
        from accounts import plugins
        from core.audit import set_child_la_lookup

        from . import services
        from .models import Child

        # A designated teacher registered by an LA is linked to that LA's children at their school.
        plugins.on_person_registered(services.designated_teacher_registered)
        # The per-LA versions of the data (core.audit): a write about a child is a write in its LA.
        set_child_la_lookup(
            lambda child_id: Child.objects.filter(pk=child_id).values_list("local_authority_id", flat=True).first())
