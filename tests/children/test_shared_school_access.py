"""Issue 12, point 1: a person sees a child only through a grant made by the child's own LA.

A designated teacher another LA registers at a school the two LAs share sees none of the
first LA's children there, on any page of the access matrix, by whichever route they were
registered; once the first LA approves their request they get what its own designated
teacher gets, and once it revokes the grant, 404 again on the next request.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import LoginRequest, User
from children import services
from children.models import AccessRequest, ChildUserObjectPermission, TeamMembership
from children.policies import children_visible_to, relationship
from core.models import AuditEvent
from core.roles import Role
from tests.access import OK, Row
from tests.factories import PASSWORD, ChildFactory, UserFactory
from tests.test_access_matrix import ROWS, _is_login_redirect

CHILD_NAMES = ("Testchild", "Otherchild")  # Ruby's and Otto's last names (tests/conftest.py)


def _outcome(row: Row, user: User, world) -> tuple[object, bytes]:
    client = Client()
    client.force_login(user)
    url = reverse(row.name, kwargs=row.kwargs(world))
    response = getattr(client, row.method)(url, row.data(world) if row.data else {})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code in (200, 302) and not _is_login_redirect(response):
        return OK, body
    return response.status_code, body


def _matrix_problems(user: User, world, like: str | User, *, names_hidden: bool) -> list[str]:
    """Every row of the access matrix, as `user`: each must give what persona `like` gets (or,
    given a person, what that person gets when they try it); with `names_hidden`, no page they
    reach may show a Testshire child's name (lists, search, dashboards, deadline lists, CSVs and
    exports included)."""
    problems = []
    for row in ROWS:
        savepoint = transaction.savepoint()
        try:
            got, body = _outcome(row, user, world)
        finally:
            transaction.savepoint_rollback(savepoint)
        if isinstance(like, User):
            savepoint = transaction.savepoint()
            try:
                expected, _body = _outcome(row, like, world)
            finally:
                transaction.savepoint_rollback(savepoint)
        else:
            expected = row.outcome(like)
        if got != expected:
            problems.append(f"{row.name} ({row.method}): expected {expected} like {like}, got {got}")
        elif got == OK and names_hidden and any(name.encode() in body for name in CHILD_NAMES):
            problems.append(f"{row.name} ({row.method}): shows a Testshire child's name")
    return problems


# ---- the three ways an LA registers a designated teacher ---------------------------------------------


def _register_on_people_page(admin: User, school, email: str) -> User:
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("person_new"), {
        "full_name": "Shared School Teacher", "email": email, "role": Role.DESIGNATED_TEACHER,
        "school": school.pk, "local_authority": admin.local_authority_id})
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(email=email)


def _register_by_bulk_csv(admin: User, school, email: str) -> User:
    client = Client()
    client.force_login(admin)
    text = f"email,full_name,role,school_urn\n{email},Shared School Teacher,designated_teacher,{school.urn}\n"
    response = client.post(reverse("people_bulk_invite"),
                           {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")})
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(email=email)


def _register_by_login_request(admin: User, school, email: str) -> User:
    client = Client()
    response = client.post(reverse("login_request_new"), {
        "full_name": "Shared School Teacher", "email": email, "role": Role.DESIGNATED_TEACHER,
        "local_authority": admin.local_authority_id, "school_urn": school.urn, "reason": "I am the DT"})
    assert response.status_code == 302
    login_request = LoginRequest.objects.get(email=email)
    client.force_login(admin)
    response = client.post(reverse("login_request_decide", args=[login_request.pk]),
                           {"decision": "approve", "approve-school": school.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(email=email)


ROUTES = {"people page": _register_on_people_page, "bulk CSV": _register_by_bulk_csv,
          "login request": _register_by_login_request}


@pytest.mark.parametrize("route", ROUTES)
def test_a_teacher_another_la_registers_at_our_school_gets_404_on_every_child_page(route, world):
    teacher = ROUTES[route](world.people["other_la_admin"], world.school, "shared.dt@example.test")
    teacher.set_password(PASSWORD)  # as after they accept the invitation
    teacher.save(update_fields=["password"])
    assert (teacher.role, teacher.school, teacher.local_authority) == (
        Role.DESIGNATED_TEACHER, world.school, world.other_la)
    assert not TeamMembership.objects.filter(user=teacher).exists()
    assert not ChildUserObjectPermission.objects.filter(user=teacher).exists()
    assert not children_visible_to(teacher).exists()
    assert _outcome(Row("child_detail", {}, kwargs=lambda w: {"pk": w.child.pk}), teacher, world)[0] == 404
    problems = _matrix_problems(teacher, world, "outsider_designated_teacher", names_hidden=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route", ROUTES)
def test_a_teacher_our_la_registers_at_the_childs_school_is_linked_by_each_route(route, world):
    # Another LA's child at the same school is not theirs to see.
    theirs = ChildFactory(local_authority=world.other_la, first_name="Elsa", last_name="Elsewhere")
    services.placement_start(actor=None, child=theirs, school=world.school, year_group=9,
                             started_on=dt.date(2024, 9, 2))
    teacher = ROUTES[route](world.people["admin_user"], world.school, "our.dt@example.test")
    assert relationship(teacher, world.child) == Role.DESIGNATED_TEACHER
    assert list(children_visible_to(teacher)) == [world.child]
    assert relationship(teacher, theirs) is None
    [event] = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(teacher.pk))
    assert event.changes["linked_children"] == [None, [world.child.pk]]


# ---- ask, approve, revoke ---------------------------------------------------------------------------------


def _ask(teacher: User, world, **overrides) -> Client:
    client = Client()
    client.force_login(teacher)
    data = {"local_authority": world.la.pk, "first_name": "Ruby", "last_name": "Testchild",
            "date_of_birth": "14/3/2012", "reason": "Ruby joined my school in September"}
    data.update(overrides)
    response = client.post(reverse("access_request_new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return client


def test_after_our_la_approves_the_request_they_see_what_our_teacher_sees_and_after_revoking_404(world):
    teacher = world.people["other_la_designated_teacher"]
    _ask(teacher, world)
    access_request = AccessRequest.objects.get(requester=teacher)
    assert access_request.status == AccessRequest.Status.PENDING
    assert relationship(teacher, world.child) is None

    vs = Client()
    vs.force_login(world.people["vs_officer"])
    page = vs.get(reverse("access_request_decide", args=[access_request.pk])).content.decode()
    # The candidates are our children placed at the teacher's school: Ruby, not Otto.
    assert "Ruby Testchild" in page and "Otto" not in page
    response = vs.post(reverse("access_request_decide", args=[access_request.pk]),
                       {"decision": "approve", "child": world.child.pk})
    assert response.status_code == 302
    assert relationship(teacher, world.child) == Role.DESIGNATED_TEACHER
    # What our own teacher at that school sees, other than what only the person who wrote a
    # thing may change (a document they uploaded, a PP+ request they made): a second teacher
    # our LA registers there, linked by registration.
    ours = UserFactory(email="second.dt@example.test", role=Role.DESIGNATED_TEACHER, local_authority=world.la,
                       school=world.school, full_name="Second Teacher")
    services.designated_teacher_registered(actor=world.people["admin_user"], user=ours)
    assert relationship(ours, world.child) == Role.DESIGNATED_TEACHER
    problems = _matrix_problems(teacher, world, ours, names_hidden=False)
    assert not problems, "\n".join(problems)
    approved = Client()
    approved.force_login(teacher)
    assert approved.get(reverse("child_detail", args=[world.child.pk])).status_code == 200
    problems = [p for p in _matrix_problems(teacher, world, "designated_teacher", names_hidden=False)
                if not p.startswith(("pep_document_change", "pep_document_remove", "pp_plus_withdraw"))]
    assert not problems, "\n".join(problems)

    admin = Client()
    admin.force_login(world.people["admin_user"])
    page = admin.get(reverse("grants_list")).content.decode()
    assert "Other La Designated Teacher" in page and "Another council" in page
    grant = ChildUserObjectPermission.objects.get(user=teacher, content_object=world.child)
    assert admin.post(reverse("grant_revoke", args=[grant.pk])).status_code == 302
    detail = Client()
    detail.force_login(teacher)
    assert detail.get(reverse("child_detail", args=[world.child.pk])).status_code == 404
    problems = _matrix_problems(teacher, world, "outsider_designated_teacher", names_hidden=True)
    assert not problems, "\n".join(problems)


def test_asking_says_the_same_whether_or_not_the_child_exists(world):
    teacher = world.people["other_la_designated_teacher"]
    real = _ask(teacher, world).get(reverse("children_list")).content.decode()
    made_up = _ask(teacher, world, first_name="Nobody", last_name="Atall").get(
        reverse("children_list")).content.decode()
    assert "Your request has been sent to Testshire County Council" in real
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(real).group() == main.search(made_up).group() and "Testchild" not in real
    assert AccessRequest.objects.filter(requester=teacher).count() == 2


def test_a_bad_request_shows_errors_and_writes_nothing(world):
    client = Client()
    client.force_login(world.people["other_la_designated_teacher"])
    response = client.post(reverse("access_request_new"), {"first_name": "Ruby", "date_of_birth": "31/2/2012",
                                                            "reason": "x" * 2001})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Select the child&#x27;s local authority" in body
    assert "Enter a real date" in body and "2,000 characters or fewer" in body
    assert not AccessRequest.objects.exists()


def test_another_las_staff_cannot_see_or_decide_our_requests(world):
    teacher = world.people["other_la_designated_teacher"]
    request = services.access_request_create(requester=teacher, local_authority=world.la, first_name="Ruby",
                                             last_name="Testchild", date_of_birth=world.child.date_of_birth,
                                             reason="r")
    client = Client()
    client.force_login(world.people["other_la_vs"])
    assert "Ruby" not in client.get(reverse("access_request_list")).content.decode()
    response = client.post(reverse("access_request_decide", args=[request.pk]),
                           {"decision": "approve", "child": world.child.pk})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == AccessRequest.Status.PENDING and relationship(teacher, world.child) is None


def test_approving_a_child_not_at_the_teachers_school_is_refused(world):
    teacher = world.people["other_la_designated_teacher"]
    request = services.access_request_create(requester=teacher, local_authority=world.la, first_name="Otto",
                                             last_name="Otherchild", date_of_birth=world.other_child.date_of_birth,
                                             reason="r")
    client = Client()
    client.force_login(world.people["vs_officer"])
    response = client.post(reverse("access_request_decide", args=[request.pk]),
                           {"decision": "approve", "child": world.other_child.pk})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert relationship(teacher, world.other_child) is None


def test_the_childs_la_links_another_las_teacher_directly_from_the_team_page(world):
    teacher = world.people["other_la_designated_teacher"]
    client = Client()
    client.force_login(world.people["vs_officer"])
    # Only a teacher at the child's school can be found this way.
    response = client.post(reverse("team_link_new", args=[world.other_child.pk]),
                           {"email": teacher.email, "role": Role.DESIGNATED_TEACHER})
    assert response.status_code == 200 and relationship(teacher, world.other_child) is None
    response = client.post(reverse("team_link_new", args=[world.child.pk]),
                           {"email": teacher.email, "role": Role.DESIGNATED_TEACHER})
    assert response.status_code == 302
    assert relationship(teacher, world.child) == Role.DESIGNATED_TEACHER


# ---- services: one audit event each, and links follow the placement ----------------------------------------


def _events_after(start: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=start).order_by("id"))


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_approving_and_revoking_each_write_one_audit_event(world):
    teacher = world.people["other_la_designated_teacher"]
    start = _last_event_id()
    request = services.access_request_create(requester=teacher, local_authority=world.la, first_name="Ruby",
                                             last_name="Testchild", date_of_birth=world.child.date_of_birth,
                                             reason="r")
    [created] = _events_after(start)
    assert (created.verb, created.actor, created.child_id) == ("created", teacher, None)
    start = _last_event_id()
    services.access_request_approve(actor=world.people["vs_officer"], access_request=request, child=world.child)
    [approved] = _events_after(start)
    assert (approved.verb, approved.child_id, approved.changes["user"]) == ("approved", world.child.pk,
                                                                            [None, teacher.pk])
    start = _last_event_id()
    grant = ChildUserObjectPermission.objects.get(user=teacher, content_object=world.child)
    services.grant_revoke(actor=world.people["admin_user"], grant=grant)
    [revoked] = _events_after(start)
    assert (revoked.verb, revoked.child_id, revoked.changes["user"]) == ("unlinked", world.child.pk,
                                                                         [teacher.pk, None])
    assert not TeamMembership.objects.filter(user=teacher, ends_on__isnull=True).exists()


def test_a_placement_links_our_teachers_at_the_new_school_and_unlinks_every_other(world):
    teacher = world.people["other_la_designated_teacher"]
    services.team_link(actor=None, child=world.child, user=teacher, role=Role.DESIGNATED_TEACHER)
    start = _last_event_id()
    services.placement_start(actor=None, child=world.child, school=world.other_school, year_group=10,
                             started_on=dt.date(2025, 9, 3))
    [event] = _events_after(start)
    ours, theirs = world.people["designated_teacher"], world.people["outsider_designated_teacher"]
    assert sorted(event.changes["designated_teachers_unlinked"][0]) == sorted([ours.pk, teacher.pk])
    assert event.changes["designated_teachers_linked"] == [None, [theirs.pk]]
    assert relationship(ours, world.child) is None and relationship(teacher, world.child) is None
    assert relationship(theirs, world.child) == Role.DESIGNATED_TEACHER
    placement = world.child.placements.get(ended_on__isnull=True)
    services.placement_end(actor=None, placement=placement, ended_on=dt.date(2025, 9, 4))
    assert relationship(theirs, world.child) is None


def test_a_teacher_who_moves_school_sees_neither_the_old_schools_child_nor_the_new_ones(world):
    """Defence: the link alone is not enough once the teacher works at another school, and the
    new school's children come only when their LA links the teacher."""
    teacher = world.people["designated_teacher"]
    teacher.school = world.other_school
    teacher.save(update_fields=["school"])
    assert relationship(teacher, world.child) is None
    assert relationship(teacher, world.other_child) is None
    assert not children_visible_to(teacher).exists()


def test_two_teachers_at_one_school_do_not_share_a_dashboard_cache(world):
    from quality.selectors import scope_key

    ours, theirs = world.people["designated_teacher"], world.people["other_la_designated_teacher"]
    assert ours.school_id == theirs.school_id
    assert scope_key(ours) != scope_key(theirs)


def test_the_deadline_digest_goes_only_to_teachers_the_la_linked(world, django_capture_on_commit_callbacks):
    from deadlines import services as timeliness

    with django_capture_on_commit_callbacks(execute=True):
        timeliness.flag_overdue(today=dt.date(2026, 11, 23))  # Ruby's and Otto's initial PEPs are overdue
    digests = {m.to[0] for m in mail.outbox if m.subject.startswith("PEP deadlines")}
    assert world.people["designated_teacher"].email in digests
    assert world.people["other_la_designated_teacher"].email not in digests


def test_meeting_invitees_and_chairs_leave_out_teachers_the_la_did_not_link(world):
    from meetings.services import chair_candidates, team_people
    from tests.peps.factories import start_pep

    pep = start_pep(world.child)
    people = [p.user for p in team_people(pep)]
    assert world.people["designated_teacher"] in people
    assert world.people["other_la_designated_teacher"] not in people
    assert world.people["other_la_designated_teacher"] not in chair_candidates(pep)


def test_the_data_migration_links_only_teachers_the_childs_la_registered(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("children.migrations.0008_link_designated_teachers")
    # As before the change: teachers registered at the school, but no links.
    late_ours = UserFactory(email="late.dt@example.test", role=Role.DESIGNATED_TEACHER, local_authority=world.la,
                            school=world.school)
    TeamMembership.objects.filter(role=Role.DESIGNATED_TEACHER).delete()
    ChildUserObjectPermission.objects.filter(user__role=Role.DESIGNATED_TEACHER).delete()
    migration.link_same_la_designated_teachers(apps, None)
    assert relationship(late_ours, world.child) == Role.DESIGNATED_TEACHER
    assert relationship(world.people["designated_teacher"], world.child) == Role.DESIGNATED_TEACHER
    assert relationship(world.people["outsider_designated_teacher"], world.other_child) == Role.DESIGNATED_TEACHER
    assert relationship(world.people["other_la_designated_teacher"], world.child) is None
    migration.link_same_la_designated_teachers(apps, None)  # a second run changes nothing
    assert TeamMembership.objects.filter(user=late_ours).count() == 1


def test_nobody_is_emailed_about_a_request(world):
    """The request reveals nothing: no confirmation naming the child goes anywhere."""
    _ask(world.people["other_la_designated_teacher"], world)
    assert not any("Testchild" in m.body for m in mail.outbox)
