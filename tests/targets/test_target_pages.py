"""Target pages: the right person works, the wrong one is refused, bad input re-renders with
the GOV.UK error summary and changes nothing; the PEP and child includes."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from peps.models import Pep
from peps.policies import get_pep_for
from targets.models import Target, TargetReview
from tests.meetings.factories import make_pep
from tests.targets.factories import make_request, make_target


def _post(**extra) -> dict:
    data = {"area": "maths", "what": "Know times tables to 12", "baseline": "Knows 2, 5 and 10",
            "success_criteria": "Scores 45 out of 50 on the multiplication check", "strategy_what": "Daily practice",
            "strategy_who": "Maths TA", "strategy_how_often": "Daily", "responsible": "Maths lead",
            "by_when": (timezone.localdate() + dt.timedelta(days=90)).strftime("%d/%m/%Y"),
            "pp_plus_requested": "200"}
    data.update(extra)
    return data


def test_the_dt_adds_a_target_and_a_carer_cannot(world, pep, client):
    client.force_login(world.people["carer"])
    assert client.post(reverse("target_add", args=[pep.pk]), _post()).status_code == 403
    client.force_login(world.people["designated_teacher"])
    assert client.get(reverse("target_add", args=[pep.pk])).status_code == 200
    response = client.post(reverse("target_add", args=[pep.pk]), _post())
    assert response.status_code == 302 and response["Location"] == reverse("pep_targets", args=[pep.pk])
    assert Target.objects.get().what == "Know times tables to 12"


def test_a_vague_target_is_refused_with_a_clear_message(world, pep, client):
    client.force_login(world.people["designated_teacher"])
    writes = AuditEvent.objects.count()
    response = client.post(reverse("target_add", args=[pep.pk]), _post(success_criteria="Gets better at maths"))
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Enter success criteria that can be measured" in html
    response = client.post(reverse("target_add", args=[pep.pk]), _post(by_when=""))
    assert "Enter the date the target should be met by" in response.content.decode()
    response = client.post(reverse("target_add", args=[pep.pk]), _post(by_when="31/02/2027", area=""))
    html = response.content.decode()
    assert "Enter a real date, like 27/3/2026" in html and "Select the area of the target" in html
    assert not Target.objects.exists() and AuditEvent.objects.count() == writes


def test_the_vs_changes_a_target_and_a_social_worker_cannot(world, pep, client):
    target = make_target(pep)
    client.force_login(world.people["social_worker"])
    assert client.post(reverse("target_edit", args=[target.pk]), _post(what="Hacked")).status_code == 403
    client.force_login(world.people["vs_officer"])
    page = client.get(reverse("target_edit", args=[target.pk])).content.decode()
    assert "Know times tables to 12" in page
    assert client.post(reverse("target_edit", args=[target.pk]), _post(what="Times tables to 12")).status_code == 302
    target.refresh_from_db()
    assert target.what == "Times tables to 12"


def test_the_dt_deletes_a_target_and_a_young_person_cannot(world, pep, client):
    target = make_target(pep)
    client.force_login(world.people["young_person"])
    assert client.post(reverse("target_delete", args=[target.pk])).status_code == 403
    client.force_login(world.people["designated_teacher"])
    assert "Delete this maths target?" in client.get(reverse("target_delete", args=[target.pk])).content.decode()
    assert client.post(reverse("target_delete", args=[target.pk])).status_code == 302
    assert not Target.objects.exists()


def test_targets_cannot_be_added_to_a_submitted_pep(world, client):
    pep = make_pep(world.child, status=Pep.Status.SUBMITTED)
    client.force_login(world.people["designated_teacher"])
    assert client.post(reverse("target_add", args=[pep.pk]), _post()).status_code == 403


def _rollover(world):
    previous = make_pep(world.child, status=Pep.Status.APPROVED, term="summer", academic_year="2025/26",
                        created_at=timezone.now() - dt.timedelta(days=150))
    old = make_target(previous, area="english", what="Read a book a week", by_when=dt.date(2026, 10, 1))
    current = make_pep(world.child, previous=previous)
    return current, old


def test_the_dt_reviews_a_previous_target_and_a_carer_cannot(world, client):
    current, old = _rollover(world)
    url = reverse("target_review", args=[current.pk, old.pk])
    data = {"outcome": "carried_forward", "comment": "Half way there",
            "new_by_when": (timezone.localdate() + dt.timedelta(days=100)).strftime("%d/%m/%Y")}
    client.force_login(world.people["carer"])
    assert client.post(url, data).status_code == 403
    client.force_login(world.people["designated_teacher"])
    assert "Read a book a week" in client.get(url).content.decode()
    response = client.post(url, {**data, "new_by_when": ""})
    assert "Enter the new date the target should be met by" in response.content.decode()
    assert client.post(url, data).status_code == 302
    review = TargetReview.objects.get()
    assert review.outcome == "carried_forward" and review.carried_to.pep == current
    page = client.get(reverse("pep_targets", args=[current.pk])).content.decode()
    assert "Half way there" in page and "(carried forward)" in page


def test_a_target_that_is_not_the_previous_peps_is_not_found(world, client):
    current, _old = _rollover(world)
    own = make_target(current)
    client.force_login(world.people["designated_teacher"])
    assert client.get(reverse("target_review", args=[current.pk, own.pk])).status_code == 404


def _render(template, user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(template, context, request=request)


def test_the_section_e_include_lists_targets_reviews_and_pp_plus(world):
    current, old = _rollover(world)
    make_target(current, area="wellbeing", what="Joins a club")
    make_request(current, amount="333", what_it_buys="Drama club fees")
    dt_user = world.people["designated_teacher"]
    html = _render("targets/includes/pep_targets.html", dt_user, pep=current,
                   pep_access=get_pep_for(dt_user, current.pk))
    assert "Joins a club" in html and "Read a book a week" in html and "Drama club fees" in html
    assert "£333" in html
    assert reverse("target_add", args=[current.pk]) in html
    assert reverse("target_review", args=[current.pk, old.pk]) in html
    assert reverse("pp_plus_request_new", args=[current.pk]) in html
    assert "needs at least one academic target" in html
    # Works with the PEP pages' `access` too; the young person sees no amounts and no links to change anything.
    yp = world.people["young_person"]
    html = _render("targets/includes/pep_targets.html", yp, pep=current, access=get_pep_for(yp, current.pk))
    assert "Joins a club" in html and "Drama club fees" in html and "£" not in html
    assert reverse("target_add", args=[current.pk]) not in html


def test_the_childs_page_shows_the_target_history(world):
    current, old = _rollover(world)
    TargetReview.objects.create(pep=current, target=old, outcome="achieved", comment="Yes")
    Target.objects.filter(pk=old.pk).update(status="achieved")
    make_target(current, area="science", what="Write up an experiment")
    html = _render("targets/includes/child_targets.html", world.people["carer"], child=world.child)
    assert html.index("Write up an experiment") < html.index("Read a book a week")  # newest PEP first
    assert "Achieved" in html and "Open" in html
    assert reverse("pp_plus_ledger", args=[world.child.pk]) not in html
    html = _render("targets/includes/child_targets.html", world.people["social_worker"], child=world.child)
    assert reverse("pp_plus_ledger", args=[world.child.pk]) in html
