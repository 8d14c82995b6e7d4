"""Targets and PP+ rows for the targets tests, written directly (no service, no audit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from targets.models import PpPlusRequest, Target, financial_year_for


def make_target(pep, *, area: str = "maths", status: str = Target.Status.OPEN, **extra) -> Target:
    fields = dict(what="Know times tables to 12", baseline="Knows 2, 5 and 10",
                  success_criteria="Scores 45 out of 50 on the multiplication check",
                  strategy_what="Ten minutes of practice", strategy_who="Maths TA", strategy_how_often="Daily",
                  responsible="Maths lead", by_when=timezone.localdate() + dt.timedelta(days=90),
                  pp_plus_requested=Decimal("300"))
    fields.update(extra)
    return Target.objects.create(pep=pep, child=pep.child, area=area, status=status, **fields)


def make_request(pep, *, amount: str = "400", status: str = PpPlusRequest.Status.REQUESTED,
                 approved_amount: str | None = None, target=None, **extra) -> PpPlusRequest:
    extra.setdefault("what_it_buys", "Tuition")
    extra.setdefault("category", "tuition")
    return PpPlusRequest.objects.create(
        pep=pep, child=pep.child, target=target, amount=Decimal(amount), status=status,
        approved_amount=Decimal(approved_amount) if approved_amount is not None else None,
        financial_year=extra.pop("financial_year", financial_year_for(timezone.localdate())), **extra)


def target_fields(**extra) -> dict:
    fields = dict(area="english", what="Read independently every night",
                  baseline="Reads 60 words a minute", success_criteria="Reads 90 words a minute by the spring",
                  strategy_what="Paired reading", strategy_who="Carer and TA", strategy_how_often="Three times a week",
                  responsible="English teacher", by_when=timezone.localdate() + dt.timedelta(days=120),
                  pp_plus_requested=Decimal("250.00"))
    fields.update(extra)
    return fields
