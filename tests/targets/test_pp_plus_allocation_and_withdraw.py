"""PP+: a request past the year's allocation says so and needs a reason; a pending request
can be withdrawn by its requester (issue 14, point 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from targets import selectors, services
from targets.models import PpPlusAllocation, PpPlusRequest
from tests.targets.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def allocation(world):
    return PpPlusAllocation.objects.create(local_authority=world.la, financial_year=selectors.current_financial_year(),
                                           amount_per_child=Decimal("1000"))


def _post(client, pep, amount, reason=""):
    return client.post(reverse("pp_plus_request_new", args=[pep.pk]),
                       {"amount": amount, "what_it_buys": "Ten tuition sessions", "category": "tuition",
                        "over_allocation_reason": reason})


def test_a_request_past_the_allocation_shows_the_figures_and_needs_a_reason(world, pep, allocation, client):
    make_request(pep, amount="600", status="approved", approved_amount="600")
    make_request(pep, amount="300")
    client.force_login(world.people["designated_teacher"])
    response = _post(client, pep, "250")
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text and "past its allocation" in text
    for figure in ("£1,000", "£600 is approved", "£300 is waiting", "£1,150 with this request", "£150 over"):
        assert figure in text, figure
    assert PpPlusRequest.objects.filter(pep=pep).count() == 2
    response = _post(client, pep, "250", "Tuition before the mocks; the school pays the rest")
    assert response.status_code == 302
    made = PpPlusRequest.objects.filter(pep=pep).latest("pk")
    assert made.over_allocation_reason == "Tuition before the mocks; the school pays the rest"


def test_a_request_within_the_allocation_needs_no_reason(world, pep, allocation, client):
    make_request(pep, amount="600", status="approved", approved_amount="600")
    client.force_login(world.people["designated_teacher"])
    assert _post(client, pep, "400").status_code == 302


def test_the_service_refuses_an_unexplained_overspend(world, pep, allocation):
    with pytest.raises(ValidationError) as exc:
        services.pp_plus_request(actor=world.people["designated_teacher"], pep=pep, amount="1500",
                                 what_it_buys="A laptop", category="resources")
    assert "over_allocation_reason" in exc.value.message_dict


def test_the_requester_withdraws_a_pending_request_in_one_audit_event(world, pep, client):
    dt_user = world.people["designated_teacher"]
    request = services.pp_plus_request(actor=dt_user, pep=pep, amount="120", what_it_buys="Art club",
                                       category="enrichment")
    client.force_login(dt_user)
    page = client.get(reverse("pep_targets", args=[pep.pk])).content.decode()
    assert reverse("pp_plus_withdraw", args=[request.pk]) in page
    assert "Are you sure" in client.get(reverse("pp_plus_withdraw", args=[request.pk])).content.decode()
    before = AuditEvent.objects.count()
    assert client.post(reverse("pp_plus_withdraw", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == PpPlusRequest.Status.WITHDRAWN
    assert AuditEvent.objects.count() == before + 1
    ledger = selectors.ledger_for(world.child, request.financial_year)
    assert ledger.waiting == 0 and ledger.requested == 0
    # Once withdrawn (or decided) it cannot be withdrawn again, nor decided.
    assert client.post(reverse("pp_plus_withdraw", args=[request.pk])).status_code == 403


def test_only_the_requester_withdraws(world, pep, client):
    request = services.pp_plus_request(actor=world.people["designated_teacher"], pep=pep, amount="120",
                                       what_it_buys="Art club", category="enrichment")
    client.force_login(world.people["vs_officer"])
    assert client.post(reverse("pp_plus_withdraw", args=[request.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.pp_plus_withdraw(actor=world.people["vs_officer"], request=request)
    request.refresh_from_db()
    assert request.status == PpPlusRequest.Status.REQUESTED
