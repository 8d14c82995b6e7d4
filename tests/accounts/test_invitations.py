from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, LoginRequest, User
from core.models import AuditEvent
from core.roles import Role

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def _link_token(message) -> str:
    match = re.search(r"/invitations/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def _register(client, admin, **overrides):
    client.force_login(admin)
    data = {
        "full_name": "Nina New",
        "email": "nina@example.test",
        "role": Role.CARER,
        "local_authority": admin.local_authority_id,
    }
    data.update(overrides)
    return client.post(reverse("person_new"), data)


def test_an_admin_registers_a_person_who_sets_a_password_and_signs_in(
    client, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, admin_user)
    assert response.status_code == 302
    person = User.objects.get(email="nina@example.test")
    assert person.role == Role.CARER and person.local_authority == admin_user.local_authority
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.test"]
    token = _link_token(mail.outbox[0])

    client.logout()
    page = client.get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 200 and b"Set your password" in page.content
    done = client.post(
        reverse("invitation_accept", args=[token]), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert done.status_code == 302
    assert client.login(username="nina@example.test", password=GOOD_PASSWORD)

    # The link is single-use.
    client.logout()
    again = client.get(reverse("invitation_accept", args=[token]))
    assert again.status_code == 410 and b"already been used" in again.content


def test_it_refuses_an_expired_link_with_a_clear_message(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, admin_user)
    token = _link_token(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    response = client.post(
        reverse("invitation_accept", args=[token]), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.get(email="nina@example.test").has_usable_password()


def test_links_expire_after_72_hours(admin_user):
    person = services.person_register(
        actor=admin_user,
        email="x@example.test",
        full_name="X Y",
        role=Role.CARER,
        local_authority=admin_user.local_authority,
    )
    invitation = person.invitations.get()
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)


def test_it_refuses_a_weak_password_and_keeps_the_link_usable(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, admin_user)
    token = _link_token(mail.outbox[0])
    client.logout()
    response = client.post(reverse("invitation_accept", args=[token]), {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert Invitation.objects.get().used_at is None


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "social_worker@example.test"}, b"already registered"),
        ({"role": "wizard"}, b"Select a role from the list"),
        ({"email": "not-an-email"}, b"correct format"),
        ({"role": Role.DESIGNATED_TEACHER}, b"Select the designated teacher"),
        ({"full_name": ""}, b"Enter the person"),
    ],
)
def test_bad_registration_input_gets_a_clear_message_and_creates_nothing(client, admin_user, overrides, message):
    before = User.objects.count()
    response = _register(client, admin_user, **overrides)
    assert response.status_code == 200
    assert message in response.content
    assert b"govuk-error-summary" in response.content
    assert User.objects.count() == before
    assert len(mail.outbox) == 0


def test_an_la_admin_cannot_register_people_for_another_la(client, admin_user, world):
    _register(client, admin_user, local_authority=world.other_la.pk, email="sneaky@example.test")
    assert not User.objects.filter(email="sneaky@example.test", local_authority=world.other_la).exists()


def test_a_social_worker_cannot_register_people(client, social_worker):
    response = _register(client, social_worker)
    assert response.status_code == 403
    assert not User.objects.filter(email="nina@example.test").exists()


def test_registering_writes_exactly_one_audit_event(admin_user):
    before = AuditEvent.objects.count()
    services.person_register(
        actor=admin_user,
        email="y@example.test",
        full_name="Y Z",
        role=Role.CARER,
        local_authority=admin_user.local_authority,
    )
    events = AuditEvent.objects.all()[: AuditEvent.objects.count() - before]
    assert AuditEvent.objects.count() == before + 1
    assert events[0].verb == AuditEvent.Verb.INVITED and events[0].actor == admin_user


def test_a_reinvitation_makes_the_old_link_stop_working(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, admin_user)
        person = User.objects.get(email="nina@example.test")
        client.post(reverse("person_reinvite", args=[person.pk]))
    old, new = _link_token(mail.outbox[0]), _link_token(mail.outbox[1])
    client.logout()
    assert client.get(reverse("invitation_accept", args=[old])).status_code == 410
    assert client.get(reverse("invitation_accept", args=[new])).status_code == 200


class TestBulkInvite:
    def _upload(self, client, admin, text: str):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(admin)
        return client.post(
            reverse("people_bulk_invite"), {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")}
        )

    def test_a_good_file_invites_everyone(self, client, admin_user, world, django_capture_on_commit_callbacks):
        text = (
            "email,full_name,role,school_urn\n"
            "a@example.test,Ann A,carer,\n"
            f"b@example.test,Ben B,designated_teacher,{world.school.urn}\n"
            "c@example.test,Cat C,Social worker,\n"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = self._upload(client, admin_user, text)
        assert response.status_code == 302
        assert User.objects.filter(email__in=["a@example.test", "b@example.test", "c@example.test"]).count() == 3
        assert User.objects.get(email="b@example.test").school == world.school
        assert len(mail.outbox) == 3

    def test_a_file_with_bad_rows_creates_nobody_and_reports_every_row(self, client, admin_user):
        text = (
            "email,full_name,role,school_urn\n"
            "ok@example.test,Okay Person,carer,\n"
            "not-an-email,Bad Email,carer,\n"
            "social_worker@example.test,Dup Licate,carer,\n"
            "r@example.test,Role Less,astronaut,\n"
            "d@example.test,Dee Tee,designated_teacher,999999\n"
            "ok@example.test,Okay Again,carer,\n"
        )
        response = self._upload(client, admin_user, text)
        assert response.status_code == 200
        body = response.content.decode()
        for line in ("Row 3", "Row 4", "Row 5", "Row 6", "Row 7"):
            assert line in body
        assert "Row 2:" not in body
        assert not User.objects.filter(email__in=["ok@example.test", "r@example.test"]).exists()
        assert len(mail.outbox) == 0

    @pytest.mark.parametrize("text", ["", "name,age\nx,1\n", "\xff\xfe garbage"])
    def test_a_malformed_file_gets_a_clear_message(self, client, admin_user, text):
        before = User.objects.count()
        response = self._upload(client, admin_user, text)
        assert response.status_code == 200
        assert b"govuk-error-summary" in response.content
        assert User.objects.count() == before


class TestLoginRequests:
    def test_anyone_can_request_a_login_and_an_admin_approves_it(
        self, client, admin_user, world, django_capture_on_commit_callbacks
    ):
        response = client.post(
            reverse("login_request_new"),
            {
                "full_name": "Fran Foster",
                "email": "fran@example.test",
                "role": Role.CARER,
                "local_authority": world.la.pk,
                "reason": "I foster Ruby",
            },
        )
        assert response.status_code == 302
        request = LoginRequest.objects.get(email="fran@example.test")
        client.force_login(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("login_request_decide", args=[request.pk]), {"decision": "approve"})
        request.refresh_from_db()
        assert request.status == LoginRequest.Status.APPROVED
        assert User.objects.filter(email="fran@example.test", role=Role.CARER).exists()
        assert mail.outbox[0].to == ["fran@example.test"]

    def test_declining_needs_a_reason_and_creates_nobody(self, client, admin_user, world):
        request = LoginRequest.objects.create(
            full_name="Dan", email="dan@example.test", role=Role.CARER, local_authority=world.la, reason="x"
        )
        client.force_login(admin_user)
        response = client.post(reverse("login_request_decide", args=[request.pk]), {"decision": "decline"})
        assert b"Enter the reason for declining" in response.content
        client.post(
            reverse("login_request_decide", args=[request.pk]),
            {"decision": "decline", "decline-reason": "Not known to us"},
        )
        request.refresh_from_db()
        assert request.status == LoginRequest.Status.DECLINED
        assert request.decline_reason == "Not known to us"
        assert not User.objects.filter(email="dan@example.test").exists()

    def test_a_bad_request_form_shows_errors(self, client, world):
        response = client.post(reverse("login_request_new"), {"email": "nope"})
        assert response.status_code == 200
        assert b"govuk-error-summary" in response.content
        assert not LoginRequest.objects.exists()


def test_there_is_no_open_sign_up(client, db):
    response = client.post(reverse("account_signup"), {"email": "x@example.test", "password1": GOOD_PASSWORD})
    assert not User.objects.filter(email="x@example.test").exists()
    assert response.status_code == 200


def test_healthz_reports_the_database_without_personal_data(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
