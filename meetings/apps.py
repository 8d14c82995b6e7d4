from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "PEP meetings"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks
        from education import hooks as education_hooks
        from peps import hooks as peps_hooks

        from . import checks, demo, home, young_person
        from .chronology import meeting_events

        order = accounts_hooks.FLOOR_ORDER["meetings"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        hooks.register(education_hooks.CHRONOLOGY_SOURCE, meeting_events)
        # A meeting that was held must be recorded before the PEP is submitted; listed after
        # the targets' problems (targets registers order=1).
        hooks.register(peps_hooks.BEFORE_SUBMIT, checks.problems_before_submit, order=2)
        # The young person's "My PEP" page shows their next meeting.
        hooks.register(peps_hooks.MY_PEP_NEXT_MEETING, young_person.next_meeting_of)
