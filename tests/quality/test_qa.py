"""Quality assurance: the rules, the service's single audit event, and the QA page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from peps.models import Pep
from quality import services
from quality.defaults import DEFAULT_CRITERIA
from quality.models import QaCriterion, QaRating, QaReview, Rag, overall_rating
from quality.services import RatingInput
from tests.quality.factories import PepFactory, submitted_pep

pytestmark = pytest.mark.django_db


def ratings_for(la, overrides: dict[str, tuple[str, str]] | None = None) -> list[RatingInput]:
    overrides = overrides or {}
    return [
        RatingInput(criterion_id=c.pk, rating=overrides.get(c.code, (Rag.GREEN, ""))[0],
                    comment=overrides.get(c.code, (Rag.GREEN, ""))[1])
        for c in services.active_criteria(la)
    ]


def test_overall_rating_follows_the_worst_criterion():
    assert overall_rating([Rag.GREEN, Rag.AMBER, Rag.RED]) == Rag.RED
    assert overall_rating([Rag.GREEN, Rag.AMBER]) == Rag.AMBER
    assert overall_rating([Rag.GREEN, Rag.GREEN]) == Rag.GREEN


def test_each_la_gets_the_default_criteria_once(world):
    first = services.active_criteria(world.la)
    again = services.active_criteria(world.la)
    assert [c.text for c in first] == [text for _code, text in DEFAULT_CRITERIA]
    assert [c.pk for c in first] == [c.pk for c in again]
    assert QaCriterion.objects.filter(local_authority=world.other_la).count() == 0
    assert AuditEvent.objects.filter(object_type="quality.qacriterion").count() == 1


def test_any_red_returns_the_pep_with_the_reasons(world, vs_officer):
    pep = submitted_pep(world.child)
    ratings = ratings_for(world.la, {
        "childs-voice": (Rag.RED, "Ruby's views are missing"),
        "attendance": (Rag.AMBER, "No plan for attendance below 95%"),
    })
    review = services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings,
                                       decision=QaReview.Decision.RETURNED, comment="Please add Ruby's views")
    pep.refresh_from_db()
    assert review.overall == Rag.RED
    assert pep.status == Pep.Status.RETURNED
    assert "Red: The child's voice is present and shaped the plan – Ruby's views are missing" in pep.returned_reason
    assert "Amber: Attendance is recorded, and addressed when below 95% – No plan" in pep.returned_reason
    assert "Please add Ruby's views" in pep.returned_reason
    assert "Previous targets are evaluated" not in pep.returned_reason  # green criteria are not reasons
    assert QaRating.objects.filter(review=review).count() == len(DEFAULT_CRITERIA)


def test_a_red_pep_cannot_be_approved_and_nothing_is_written(world, vs_officer):
    pep = submitted_pep(world.child)
    services.active_criteria(world.la)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.qa_review_record(actor=vs_officer, pep=pep,
                                  ratings=ratings_for(world.la, {"carer-input": (Rag.RED, "No carer views")}),
                                  decision=QaReview.Decision.APPROVED)
    pep.refresh_from_db()
    assert pep.status == Pep.Status.SUBMITTED
    assert not QaReview.objects.exists()
    assert AuditEvent.objects.count() == before


def test_amber_or_green_may_be_approved_and_the_pdf_is_stored(world, vs_officer, settings, tmp_path,
                                                              django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    pep = submitted_pep(world.child)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.qa_review_record(
            actor=vs_officer, pep=pep, ratings=ratings_for(world.la, {"transition": (Rag.AMBER, "Plan it soon")}),
            decision=QaReview.Decision.APPROVED)
    pep.refresh_from_db()
    assert review.overall == Rag.AMBER
    assert pep.status == Pep.Status.APPROVED
    assert pep.approved_pdf and len(pep.approved_pdf_sha256) == 64


def test_it_needs_a_comment_for_red_and_amber(world, vs_officer):
    pep = submitted_pep(world.child)
    with pytest.raises(ValidationError) as exc:
        services.qa_review_record(actor=vs_officer, pep=pep,
                                  ratings=ratings_for(world.la, {"attainment": (Rag.AMBER, "")}),
                                  decision=QaReview.Decision.RETURNED)
    assert any("Enter a comment" in m for m in exc.value.messages)


def test_it_writes_one_audit_event_of_its_own(world, vs_officer):
    pep = submitted_pep(world.child)
    services.active_criteria(world.la)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    review = services.qa_review_record(actor=vs_officer, pep=pep,
                                       ratings=ratings_for(world.la, {"pp-plus": (Rag.RED, "Not costed")}),
                                       decision=QaReview.Decision.RETURNED)
    new = AuditEvent.objects.exclude(pk__in=before)
    own = new.filter(object_type="quality.qareview")
    assert own.count() == 1
    assert own.get().object_id == str(review.pk) and own.get().child_id == world.child.pk
    # The return is the workflow's own event (peps.services.workflow.pep_return), not this service's.
    assert new.exclude(object_type="quality.qareview").count() == 1


@pytest.mark.parametrize("persona", ["designated_teacher", "social_worker", "carer", "admin_user", "other_la_vs"])
def test_only_the_virtual_school_can_quality_assure(world, persona):
    pep = submitted_pep(world.child)
    with pytest.raises(PermissionDenied):
        services.qa_review_record(actor=world.people[persona], pep=pep, ratings=ratings_for(world.la),
                                  decision=QaReview.Decision.APPROVED)
    assert not QaReview.objects.exists()


@pytest.mark.parametrize("status", [Pep.Status.DRAFT, Pep.Status.RETURNED, Pep.Status.APPROVED])
def test_only_submitted_peps_can_be_quality_assured(world, vs_officer, status):
    pep = PepFactory(child=world.child, status=status)
    with pytest.raises(PermissionDenied):
        services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la),
                                  decision=QaReview.Decision.APPROVED)


def test_a_criterion_change_writes_one_audit_event_and_keeps_past_text(world, admin_user, vs_officer):
    pep = submitted_pep(world.child)
    review = services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la),
                                       decision=QaReview.Decision.APPROVED)
    criterion = QaCriterion.objects.get(local_authority=world.la, code="childs-voice")
    before = AuditEvent.objects.count()
    services.qa_criterion_save(actor=admin_user, la=world.la, criterion=criterion, code="childs-voice",
                               text="The child's voice is heard", order=5, active=True)
    assert AuditEvent.objects.count() == before + 1
    assert review.ratings.get(criterion=criterion).criterion_text == "The child's voice is present and shaped the plan"


# --- the QA page -----------------------------------------------------------------------


def form_data(la, overrides=None, decision="approved"):
    data = {"decision": decision, "comment": ""}
    for r in ratings_for(la, overrides):
        data[f"rating_{r.criterion_id}"] = r.rating
        data[f"comment_{r.criterion_id}"] = r.comment
    return data


def test_the_vs_rates_a_pep_on_one_page_and_red_returns_it(world, vs_officer, client):
    pep = submitted_pep(world.child)
    client.force_login(vs_officer)
    page = client.get(reverse("qa_review", args=[pep.pk]))
    assert page.status_code == 200
    assert b"The child&#x27;s voice is present" in page.content
    response = client.post(reverse("qa_review", args=[pep.pk]),
                           form_data(world.la, {"smart-targets": (Rag.RED, "No academic target")}, "returned"))
    assert response.status_code == 302
    pep.refresh_from_db()
    assert pep.status == Pep.Status.RETURNED and "No academic target" in pep.returned_reason


def test_the_qa_page_refuses_approving_a_red_pep_with_an_error_summary(world, vs_officer, client):
    pep = submitted_pep(world.child)
    client.force_login(vs_officer)
    response = client.post(reverse("qa_review", args=[pep.pk]),
                           form_data(world.la, {"smart-targets": (Rag.RED, "No academic target")}, "approved"))
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"A PEP with a red rating must be returned" in response.content
    pep.refresh_from_db()
    assert pep.status == Pep.Status.SUBMITTED


def test_the_qa_page_asks_for_missing_ratings(world, vs_officer, client):
    pep = submitted_pep(world.child)
    client.force_login(vs_officer)
    response = client.post(reverse("qa_review", args=[pep.pk]), {"decision": "approved"})
    assert response.status_code == 200
    assert "Select a rating for ‘The child&#x27;s voice".encode() in response.content


def test_the_designated_teacher_cannot_post_a_qa(world, designated_teacher, client):
    pep = submitted_pep(world.child)
    client.force_login(designated_teacher)
    response = client.post(reverse("qa_review", args=[pep.pk]), form_data(world.la))
    assert response.status_code == 403
    pep.refresh_from_db()
    assert pep.status == Pep.Status.SUBMITTED


def test_qa_history_and_the_childs_last_rating_render(world, vs_officer, social_worker, carer, client):
    from django.template import Context, Template

    pep = submitted_pep(world.child)
    services.qa_review_record(actor=vs_officer, pep=pep,
                              ratings=ratings_for(world.la, {"carer-input": (Rag.RED, "Ask Pat for views")}),
                              decision=QaReview.Decision.RETURNED)
    client.force_login(social_worker)
    page = client.get(reverse("pep_quality", args=[pep.pk]))
    assert page.status_code == 200
    assert b"Ask Pat for views" in page.content and b"govuk-tag--red" in page.content
    template = Template("{% load quality_tags %}{% child_last_qa child %}")
    html = template.render(Context({"child": world.child, "user": social_worker}))
    assert "govuk-tag--red" in html and "Latest quality assurance" in html
    # Quality assurance is for professionals: the carer gets neither the page nor the rating.
    client.force_login(carer)
    assert client.get(reverse("pep_quality", args=[pep.pk])).status_code == 404
    assert "Ask Pat for views" not in client.get(reverse("pep_detail", args=[pep.pk])).text
    html = template.render(Context({"child": world.child, "user": carer}))
    assert "quality assurance" not in html.lower()


def test_an_la_admin_edits_criteria_and_a_vs_cannot(world, admin_user, vs_officer, client):
    client.force_login(admin_user)
    assert client.get(reverse("qa_criteria_list")).status_code == 200
    response = client.post(reverse("qa_criterion_new"), {"text": "Photos of work are attached",
                                                         "code": "evidence", "order": 100, "active": "on"})
    assert response.status_code == 302
    assert QaCriterion.objects.filter(local_authority=world.la, code="evidence").exists()
    response = client.post(reverse("qa_criterion_new"), {"text": "", "code": "evidence", "order": 1})
    assert b"Enter what the Virtual School checks" in response.content
    assert b"Another criterion already uses this code" in response.content
    client.force_login(vs_officer)
    assert client.post(reverse("qa_criterion_new"), {"text": "X", "code": "x", "order": 1}).status_code == 403
