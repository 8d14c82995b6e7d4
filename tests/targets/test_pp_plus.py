"""Pupil Premium Plus: requests, decisions, payable only after PEP approval, the ledger and
overspend flag, the allocation, the finance export, and who sees the amounts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from core.refusals import Refused
from peps.models import Pep
from targets import selectors, services
from targets.models import PpPlusAllocation, PpPlusRequest, financial_year_for
from tests.meetings.factories import make_pep
from tests.targets.factories import make_request, make_target


def _writes() -> int:
    return AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEWED).count()


@pytest.mark.parametrize("day, year", [
    (dt.date(2026, 4, 1), "2026-27"), (dt.date(2027, 3, 31), "2026-27"), (dt.date(2027, 4, 1), "2027-28"),
    (dt.date(2099, 12, 1), "2099-00"),
])
def test_the_financial_year_runs_april_to_march(day, year):
    assert financial_year_for(day) == year


def test_the_dt_requests_pp_plus_against_a_target_in_one_audit_event(world, pep):
    target = make_target(pep)
    before = _writes()
    request = services.pp_plus_request(actor=world.people["designated_teacher"], pep=pep, amount="450.5",
                                       what_it_buys="Ten tuition sessions", category="tuition", target=target)
    assert _writes() == before + 1
    assert AuditEvent.objects.latest("id").object_type == "targets.ppplusrequest"
    assert request.amount == Decimal("450.50") and request.status == "requested"
    assert request.financial_year == selectors.current_financial_year()
    assert request.child == world.child


def test_a_request_needs_an_amount_what_it_buys_and_a_kind(world, pep):
    dt_user = world.people["designated_teacher"]
    cases = [({"amount": "0"}, "amount"), ({"amount": "lots"}, "amount"), ({"what_it_buys": " "}, "what_it_buys"),
             ({"category": "holiday"}, "category")]
    for change, field in cases:
        data = {"amount": "100", "what_it_buys": "Books", "category": "resources", **change}
        with pytest.raises(ValidationError) as exc:
            services.pp_plus_request(actor=dt_user, pep=pep, **data)
        assert field in exc.value.message_dict
    assert not PpPlusRequest.objects.exists()


def test_a_request_cannot_be_for_another_peps_target(world, pep):
    other = make_pep(world.other_child)
    with pytest.raises(ValidationError):
        services.pp_plus_request(actor=world.people["designated_teacher"], pep=pep, amount="10",
                                 what_it_buys="x", category="other", target=make_target(other))


def test_only_the_school_requests_pp_plus(world, pep):
    for key in ("vs_officer", "social_worker", "carer", "young_person"):
        with pytest.raises(PermissionDenied):
            services.pp_plus_request(actor=world.people[key], pep=pep, amount="10", what_it_buys="x",
                                     category="other")


def test_the_vs_approves_in_one_audit_event(world, pep):
    request = make_request(pep, amount="400")
    before = _writes()
    request = services.pp_plus_decide(actor=world.people["vs_officer"], request=request, decision="approve")
    assert _writes() == before + 1
    assert AuditEvent.objects.latest("id").verb == "approved"
    assert (request.status, request.approved_amount, request.decided_by) == (
        "approved", Decimal("400.00"), world.people["vs_officer"])


def test_the_vs_part_approves_with_an_amount_and_a_reason(world, pep):
    request = make_request(pep, amount="400")
    vs = world.people["vs_officer"]
    for amount, reason, field in (("", "Half", "approved_amount"), ("400", "All", "approved_amount"),
                                  ("0", "None", "approved_amount"), ("250", "", "reason")):
        with pytest.raises(ValidationError) as exc:
            services.pp_plus_decide(actor=vs, request=request, decision="part_approve", approved_amount=amount,
                                    reason=reason)
        assert field in exc.value.message_dict
    request = services.pp_plus_decide(actor=vs, request=request, decision="part_approve", approved_amount="250",
                                      reason="Six sessions are enough this term")
    assert (request.status, request.approved_amount) == ("part_approved", Decimal("250.00"))


def test_the_vs_declines_with_a_reason_in_one_audit_event(world, pep):
    request = make_request(pep)
    with pytest.raises(ValidationError) as exc:
        services.pp_plus_decide(actor=world.people["vs_officer"], request=request, decision="decline")
    assert exc.value.message_dict == {"reason": ["Enter why the request is declined"]}
    before = _writes()
    request = services.pp_plus_decide(actor=world.people["vs_officer"], request=request, decision="decline",
                                      reason="The school's own budget covers this")
    assert _writes() == before + 1
    assert AuditEvent.objects.latest("id").verb == "declined"
    assert request.status == "declined" and request.approved_amount is None


def test_a_decision_is_taken_once(world, pep):
    request = make_request(pep)
    services.pp_plus_decide(actor=world.people["vs_officer"], request=request, decision="approve")
    with pytest.raises(Refused):
        services.pp_plus_decide(actor=world.people["vs_officer"], request=request, decision="decline", reason="x")


def test_only_the_childs_virtual_school_decides(world, pep):
    request = make_request(pep)
    for key in ("designated_teacher", "social_worker", "carer", "admin_user"):
        with pytest.raises(PermissionDenied):
            services.pp_plus_decide(actor=world.people[key], request=request, decision="approve")
    with pytest.raises(PermissionDenied):
        services.pp_plus_decide(actor=world.people["other_la_vs"], request=request, decision="approve")


def test_nothing_is_payable_until_the_pep_is_approved(world, pep):
    request = make_request(pep, amount="400")
    request = services.pp_plus_decide(actor=world.people["vs_officer"], request=request, decision="part_approve",
                                      approved_amount="300", reason="Fewer sessions")
    assert request.is_approved and not request.payable and request.payable_amount == 0
    ledger = selectors.ledger_for(world.child, request.financial_year)
    assert (ledger.approved, ledger.payable) == (Decimal("300"), Decimal("0"))
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)
    request.refresh_from_db()
    assert request.payable and request.payable_amount == Decimal("300")
    assert selectors.ledger_for(world.child, request.financial_year).payable == Decimal("300")
    annotated = selectors.with_payable(PpPlusRequest.objects.all()).get()
    assert annotated.payable_now == Decimal("300")


def test_a_declined_request_is_never_payable(world):
    pep = make_pep(world.child, status=Pep.Status.APPROVED)
    assert not make_request(pep, status="declined").payable


def test_the_ledger_adds_up_per_child_and_year(world, pep):
    year = selectors.current_financial_year()
    services.pp_plus_allocation_set(actor=world.people["vs_officer"], local_authority=world.la,
                                    financial_year=year, amount_per_child="2570")
    make_request(pep, amount="400", status="approved", approved_amount="400")
    make_request(pep, amount="600", status="part_approved", approved_amount="350")
    make_request(pep, amount="200", status="declined")
    make_request(pep, amount="500")
    make_request(pep, amount="999", financial_year="2020-21", status="approved", approved_amount="999")
    make_request(make_pep(world.other_child), amount="777", status="approved", approved_amount="777")
    ledger = selectors.ledger_for(world.child, year)
    assert ledger.allocation == Decimal("2570")
    assert ledger.requested == Decimal("1700")
    assert ledger.waiting == Decimal("500")
    assert ledger.approved == Decimal("750")
    assert ledger.payable == Decimal("0")
    assert ledger.remaining == Decimal("1820")
    assert len(ledger.requests) == 4


def test_a_request_that_would_overspend_is_flagged_for_the_vs(world, pep, client):
    year = selectors.current_financial_year()
    PpPlusAllocation.objects.create(local_authority=world.la, financial_year=year, amount_per_child=Decimal("1000"))
    make_request(pep, amount="800", status="approved", approved_amount="800")
    small = make_request(pep, amount="150")
    big = make_request(pep, amount="300")
    ledger = selectors.ledger_for(world.child, year)
    assert not ledger.would_overspend(small)
    assert ledger.would_overspend(big)
    client.force_login(world.people["vs_officer"])
    html = client.get(reverse("pp_plus_decide", args=[big.pk])).content.decode()
    assert "would overspend" in html and "£200 remains" in html
    assert "would overspend" not in client.get(reverse("pp_plus_decide", args=[small.pk])).content.decode()
    queue = client.get(reverse("pp_plus_queue")).content.decode()
    assert queue.count("Would overspend") == 1


def test_setting_the_allocation_writes_one_audit_event_and_updates_in_place(world):
    vs = world.people["vs_officer"]
    before = _writes()
    services.pp_plus_allocation_set(actor=vs, local_authority=world.la, financial_year="2026-27",
                                    amount_per_child="2570")
    assert _writes() == before + 1
    services.pp_plus_allocation_set(actor=vs, local_authority=world.la, financial_year="2026-27",
                                    amount_per_child="2630")
    assert _writes() == before + 2
    assert AuditEvent.objects.latest("id").changes == {"amount_per_child": ["2570.00", "2630.00"]}
    assert PpPlusAllocation.objects.get().amount_per_child == Decimal("2630")
    with pytest.raises(ValidationError):
        services.pp_plus_allocation_set(actor=vs, local_authority=world.la, financial_year="2026-28",
                                        amount_per_child="1")


def test_an_la_admin_sets_the_allocation_on_the_page_and_a_dt_cannot(world, client):
    client.force_login(world.people["designated_teacher"])
    assert client.post(reverse("pp_plus_allocations"), {"financial_year": "2026-27",
                                                        "amount_per_child": "2570"}).status_code == 403
    client.force_login(world.people["admin_user"])
    response = client.post(reverse("pp_plus_allocations"), {"financial_year": "2026-27", "amount_per_child": "2570"})
    assert response.status_code == 302
    assert PpPlusAllocation.objects.get(local_authority=world.la).amount_per_child == Decimal("2570")
    response = client.post(reverse("pp_plus_allocations"), {"financial_year": "26/27", "amount_per_child": "x"})
    html = response.content.decode()
    assert "Enter the amount in pounds, like 2570" in html


# --------------------------------------------------------------------------------------
# The finance export
# --------------------------------------------------------------------------------------


def test_the_vs_exports_the_las_pp_plus_for_a_year_and_it_is_audited(world, pep, client):
    year = selectors.current_financial_year()
    approved_pep = make_pep(world.other_child, status=Pep.Status.APPROVED)
    make_request(pep, amount="400", status="part_approved", approved_amount="250", reason="x",
                 decided_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    make_request(approved_pep, amount="300", status="approved", approved_amount="300")
    make_request(pep, amount="1", financial_year="2020-21")
    world.child.last_name = "=HYPERLINK(1)"
    world.child.save()
    client.force_login(world.people["vs_officer"])
    response = client.post(reverse("pp_plus_export"), {"financial_year": year})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["child_ref", "child_name", "school_urn", "request_id", "category", "amount_requested",
                             "amount_approved", "status", "payable", "decided_on"]
    assert len(rows) == 2
    ruby = next(r for r in rows if r["child_ref"] == world.child.la_reference)
    assert ruby["child_name"] == "Ruby =HYPERLINK(1)"  # not at the start, so harmless
    assert (ruby["amount_requested"], ruby["amount_approved"], ruby["status"], ruby["payable"],
            ruby["decided_on"]) == ("400.00", "250.00", "Part approved", "no", "2026-11-02")
    assert ruby["school_urn"] == world.school.urn
    otto = next(r for r in rows if r["child_ref"] == world.other_child.la_reference)
    assert otto["payable"] == "yes"
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.changes) == ("exported", {"financial_year": year, "rows": 2})


def test_spreadsheet_formulas_are_neutralised_in_the_export(world, pep):
    world.child.first_name = "=cmd"
    world.child.save()
    make_request(pep)
    body = services.pp_plus_export_csv(actor=world.people["vs_officer"], local_authority=world.la,
                                       financial_year=selectors.current_financial_year())
    assert "'=cmd" in body


@pytest.mark.parametrize("first_name", ["\uff1d1+1", "\u200b=1+1", "x;=1+1", "\ufeff@SUM(A1)", " =1+1"])
def test_disguised_formulas_are_neutralised_in_the_export(world, pep, first_name):
    """Full-width ＝, a zero-width space before =, and a formula after a ';' (a list
    separator in many locales) all start a formula once a spreadsheet has read the cell."""
    import csv
    import io
    import unicodedata

    def starts_a_formula(text):
        folded = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
        return folded.lstrip(" ")[:1] in ("=", "+", "-", "@")

    world.child.first_name = first_name
    world.child.save()
    make_request(pep)
    body = services.pp_plus_export_csv(actor=world.people["vs_officer"], local_authority=world.la,
                                       financial_year=selectors.current_financial_year())
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    name_cells = [cell for cell in cells if first_name.strip("\u200b\ufeff ")[-3:] in cell]
    assert name_cells, cells
    for cell in name_cells:
        for part in cell.split(";"):
            assert not starts_a_formula(part), f"{cell!r} still starts a formula"


def test_only_the_virtual_school_exports(world, client):
    for key in ("admin_user", "designated_teacher", "social_worker"):
        client.force_login(world.people[key])
        assert client.post(reverse("pp_plus_export"), {"financial_year": "2026-27"}).status_code == 403
    assert not AuditEvent.objects.filter(verb="exported").exists()


def test_another_las_export_has_none_of_this_las_children(world, pep, client):
    make_request(pep)
    client.force_login(world.people["other_la_vs"])
    response = client.post(reverse("pp_plus_export"), {"financial_year": selectors.current_financial_year()})
    assert world.child.la_reference not in response.content.decode()


# --------------------------------------------------------------------------------------
# Who sees PP+ amounts
# --------------------------------------------------------------------------------------


@pytest.fixture
def priced(world, pep):
    target = make_target(pep, pp_plus_requested=Decimal("321"), what="Times tables to 12")
    make_request(pep, amount="654", target=target, what_it_buys="Maths tutor")
    return pep


@pytest.mark.parametrize("key", ["carer", "young_person"])
def test_carers_and_young_people_see_targets_but_not_amounts(world, priced, client, key):
    client.force_login(world.people[key])
    html = client.get(reverse("pep_targets", args=[priced.pk])).content.decode()
    assert "Times tables to 12" in html and "Maths tutor" in html
    assert "£654" not in html and "£321" not in html and "£" not in html
    assert client.get(reverse("pp_plus_ledger", args=[world.child.pk])).status_code == 403


@pytest.mark.parametrize("key", ["carer", "young_person"])
def test_carers_and_young_people_see_amounts_when_the_la_allows(world, priced, client, key):
    world.la.pp_plus_visible_to_family = True
    world.la.save()
    client.force_login(world.people[key])
    html = client.get(reverse("pep_targets", args=[priced.pk])).content.decode()
    assert "£654" in html and "£321" in html
    assert client.get(reverse("pp_plus_ledger", args=[world.child.pk])).status_code == 200


def test_the_national_setting_also_shows_amounts_to_families(world, priced, client, settings):
    settings.PP_PLUS_VISIBLE_TO_FAMILY = True
    client.force_login(world.people["carer"])
    assert "£654" in client.get(reverse("pep_targets", args=[priced.pk])).content.decode()


@pytest.mark.parametrize("key", ["social_worker", "designated_teacher", "vs_officer"])
def test_professionals_see_the_amounts(world, priced, client, key):
    client.force_login(world.people[key])
    assert "£654" in client.get(reverse("pep_targets", args=[priced.pk])).content.decode()


# --------------------------------------------------------------------------------------
# The pages: right person works, wrong one refused
# --------------------------------------------------------------------------------------


def test_the_dt_requests_pp_plus_on_the_page_and_the_vs_cannot(world, pep, client):
    target = make_target(pep)
    data = {"target": str(target.pk), "amount": "480", "what_it_buys": "Twelve tuition sessions",
            "category": "tuition"}
    client.force_login(world.people["vs_officer"])
    assert client.post(reverse("pp_plus_request_new", args=[pep.pk]), data).status_code == 403
    client.force_login(world.people["designated_teacher"])
    page = client.get(reverse("pp_plus_request_new", args=[pep.pk]) + f"?target={target.pk}")
    assert 'value="300' in page.content.decode()  # pre-filled from the target's planned cost
    assert client.post(reverse("pp_plus_request_new", args=[pep.pk]), data).status_code == 302
    assert PpPlusRequest.objects.get().amount == Decimal("480")
    response = client.post(reverse("pp_plus_request_new", args=[pep.pk]), {**data, "amount": "12.345"})
    assert "Enter the amount in pounds, like 450 or 450.50" in response.content.decode()
    assert PpPlusRequest.objects.count() == 1


def test_the_vs_part_approves_on_the_page_and_the_dt_cannot(world, pep, client):
    request = make_request(pep, amount="480")
    data = {"decision": "part_approve", "approved_amount": "300", "reason": "Eight sessions"}
    client.force_login(world.people["designated_teacher"])
    assert client.post(reverse("pp_plus_decide", args=[request.pk]), data).status_code == 403
    client.force_login(world.people["vs_officer"])
    response = client.post(reverse("pp_plus_decide", args=[request.pk]), {**data, "approved_amount": "900"})
    assert "less than the £480.00 requested" in response.content.decode()
    response = client.post(reverse("pp_plus_decide", args=[request.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("pp_plus_ledger", args=[world.child.pk])
    request.refresh_from_db()
    assert (request.status, request.approved_amount) == ("part_approved", Decimal("300"))
    ledger = client.get(response["Location"]).content.decode()
    assert "£480" in ledger and "£300" in ledger


def test_the_queue_costs_the_same_queries_for_2_and_20_requests(world, pep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.waiting_requests_for(world.people["vs_officer"])
        assert all(ledger.requested >= request.amount for request, ledger in rows)
        return len(ctx.captured_queries)

    for _ in range(2):
        make_request(pep)
    few = queries()
    other = make_pep(world.other_child)
    for n in range(18):
        make_request(pep if n % 2 else other)
    assert queries() == few == 3
