"""Every targets and PP+ URL × every persona (see tests/access.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

TEAM = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK, admin_user=OK)
# Targets: the designated teacher and the Virtual School change them; the rest of the team 403.
EDITORS = dict(social_worker=FORBIDDEN, designated_teacher=OK, carer=FORBIDDEN, young_person=FORBIDDEN,
               vs_officer=OK, admin_user=FORBIDDEN)
# Only the school asks for PP+ ...
REQUESTERS = dict(EDITORS, vs_officer=FORBIDDEN)
# ... and only the Virtual School decides.
DECIDERS = dict(EDITORS, designated_teacher=FORBIDDEN)
# PP+ amounts: professionals of the child's team; carers and the young person only when the LA allows.
AMOUNTS = dict(social_worker=OK, designated_teacher=OK, carer=FORBIDDEN, young_person=FORBIDDEN, vs_officer=OK,
               admin_user=FORBIDDEN)


def _peps(world):
    """Ruby's approved previous PEP (with a target) and her open PEP that reviews it."""
    from peps.models import Pep
    from targets.models import Target
    from tests.meetings.factories import make_pep

    current = Pep.objects.filter(child=world.child, status=Pep.Status.DRAFT).first()
    if current is not None:
        return current.previous, current
    previous = make_pep(world.child, status=Pep.Status.APPROVED, term="summer", academic_year="2025/26",
                        created_at=timezone.now() - dt.timedelta(days=150))
    Target.objects.create(pep=previous, child=world.child, area="maths", what="Times tables to 12",
                          success_criteria="Scores 45 out of 50 on the check", strategy_what="Daily practice",
                          responsible="Maths teacher", by_when=timezone.localdate() - dt.timedelta(days=10))
    current = make_pep(world.child, previous=previous)
    return previous, current


def _pep_kwargs(world):
    return {"pep_pk": _peps(world)[1].pk}


def _review_kwargs(world):
    previous, current = _peps(world)
    return {"pep_pk": current.pk, "target_pk": previous.targets.first().pk}


def _target(world):
    from targets.models import Target

    _previous, current = _peps(world)
    target = current.targets.first() or Target.objects.create(
        pep=current, child=world.child, area="english", what="Read a book a week",
        success_criteria="Reads 12 books by March", strategy_what="Library visits", responsible="Carer",
        by_when=timezone.localdate() + dt.timedelta(days=90))
    return {"pk": target.pk}


def _request(world):
    from targets.models import PpPlusRequest

    _previous, current = _peps(world)
    request = current.pp_plus_requests.first() or PpPlusRequest.objects.create(
        pep=current, child=world.child, amount=Decimal("400"), what_it_buys="Ten tuition sessions",
        category="tuition")
    return {"pk": request.pk}


def _own_request(world):
    """A request the designated teacher made, still waiting: only they may withdraw it."""
    from targets.models import PpPlusRequest

    _previous, current = _peps(world)
    request = PpPlusRequest.objects.create(
        pep=current, child=world.child, amount=Decimal("120"), what_it_buys="Art club for a term",
        category="enrichment", requested_by=world.people["designated_teacher"])
    return {"pk": request.pk}


ROWS = [
    Row("pep_targets", TEAM, kwargs=_pep_kwargs),
    Row("target_add", EDITORS, kwargs=_pep_kwargs),
    Row("target_review", EDITORS, kwargs=_review_kwargs),
    Row("pp_plus_request_new", REQUESTERS, kwargs=_pep_kwargs),
    Row("target_edit", EDITORS, kwargs=_target),
    Row("target_delete", EDITORS, kwargs=_target),
    Row("pp_plus_queue", everyone(FORBIDDEN, vs_officer=OK, other_la_vs=OK)),
    Row("pp_plus_decide", DECIDERS, kwargs=_request),
    Row("pp_plus_withdraw", dict({p: FORBIDDEN for p in TEAM}, designated_teacher=OK),
        kwargs=_own_request),
    Row("pp_plus_allocations", everyone(FORBIDDEN, vs_officer=OK, other_la_vs=OK, admin_user=OK,
                                        other_la_admin=OK)),
    Row("pp_plus_export", everyone(FORBIDDEN, vs_officer=OK, other_la_vs=OK)),
    Row("pp_plus_ledger", AMOUNTS, kwargs=lambda w: {"child_pk": w.child.pk}),
]
assert NOT_FOUND
