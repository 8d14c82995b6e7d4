from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "SMART targets and Pupil Premium Plus"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from core import hooks
        from peps import hooks as peps_hooks

        from . import checks, demo, home, services, young_person

        order = accounts_hooks.FLOOR_ORDER["targets"]
        hooks.register(accounts_hooks.HOME_PANELS, home.panels, order=order)
        hooks.register(accounts_hooks.DEMO_SEED, demo.seed, order=order)
        # The targets' problems are listed before the meeting's (meetings registers order=2).
        hooks.register(peps_hooks.BEFORE_SUBMIT, checks.problems_before_submit, order=1)
        # A PEP rolled over from an approved one lists that PEP's open targets for review.
        hooks.register(peps_hooks.CARRY_FORWARD, services.targets_carry_forward)
        # The young person's "My PEP" page lists the targets in their words.
        hooks.register(peps_hooks.MY_PEP_TARGETS, young_person.targets_for_young_person)
