"""Retention: records past their destroy-after date (75th birthday) are listed monthly for the
LA admins, who confirm deletion; deletion removes everything and leaves one audit stub."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from children.models import CareEpisode, Child
from core.models import AuditEvent
from core.roles import Role
from data_protection import services as data_protection
from data_protection.models import RetentionReview, SubjectAccessExport
from peps.models import Pep, SupportingDocument
from peps.services.documents import document_path
from targets.models import Target
from tests.data_protection.conftest import fill_record
from tests.factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def test_only_children_past_their_destroy_after_date_are_listed(world, old_child):
    exactly_75 = ChildFactory(local_authority=world.la, date_of_birth=dt.date(1951, 11, 26))  # the date is today
    day_before = ChildFactory(local_authority=world.la, date_of_birth=dt.date(1951, 11, 25))
    leap_day = ChildFactory(local_authority=world.la, date_of_birth=dt.date(1948, 2, 29))  # kept until 28 Feb 2023
    ChildFactory(local_authority=world.other_la, date_of_birth=dt.date(1930, 1, 1))  # another LA's
    listed = data_protection.past_destroy_after(world.la.pk, TODAY)
    assert exactly_75 not in listed and world.child not in listed
    assert set(listed) == {old_child, day_before, leap_day}
    assert data_protection.age_on(old_child, TODAY) == 86


def test_the_monthly_task_emails_each_la_admin_once(world, old_child, django_capture_on_commit_callbacks):
    from data_protection.tasks import retention_review

    second_admin = UserFactory(email="admin2@example.test", role=Role.LA_ADMIN, local_authority=world.la)
    UserFactory(email="gone@example.test", role=Role.LA_ADMIN, local_authority=world.la, is_active=False)
    for _ in range(2):  # A second run the same day writes and sends nothing again.
        with django_capture_on_commit_callbacks(execute=True):
            retention_review.delay()
    review = RetentionReview.objects.get()
    assert review.local_authority == world.la and review.child_ids == [old_child.pk]
    assert review.run_on == timezone.localdate()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.people["admin_user"].email, second_admin.email])
    assert "1 record past the retention date" in mail.outbox[0].subject
    assert reverse("retention_list") in mail.outbox[0].body
    # The email names no child: the names are behind the sign-in.
    assert "Agatha" not in mail.outbox[0].body and "OLD-0001" not in mail.outbox[0].body
    assert AuditEvent.objects.filter(object_type="children.retentionreview").count() == 2


def test_the_beat_schedule_runs_the_retention_review_on_the_first_of_the_month(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("beat_schedule_sync", stdout=open("/dev/null", "w"))  # noqa: SIM115
    task = PeriodicTask.objects.get(name="retention-review")
    assert task.task == "children.retention_review"
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_month, str(task.crontab.timezone)) == \
        ("0", "5", "1", "Europe/London")


def test_the_tasks_are_at_least_once():
    from data_protection import tasks

    for task in (tasks.build_subject_access, tasks.retention_review):
        assert task.acks_late and task.reject_on_worker_lost


def _names_in_audit(child_id: int, *values: str) -> list[str]:
    rows = AuditEvent.objects.filter(child_id=child_id)
    text = json.dumps([r.changes for r in rows])
    return [v for v in values if v in text]


def test_destroying_removes_the_record_its_peps_and_files_and_leaves_one_stub(
        world, old_child, vs_officer, media, django_capture_on_commit_callbacks):
    admin = world.people["admin_user"]
    parts = fill_record(old_child, vs_officer)
    with django_capture_on_commit_callbacks(execute=True):
        job = data_protection.subject_access_request(actor=vs_officer, child=old_child, reason="SAR")
    job.refresh_from_db()
    files = [document_path(parts["document"]), parts["approved"].approved_pdf.name, job.file.name]
    assert all(default_storage.exists(f) for f in files)
    child_id = old_child.pk
    assert _names_in_audit(child_id, "Agatha", "Oldrecord", "1940-06-01")  # before: the audit holds them
    before = AuditEvent.objects.filter(child_id=child_id).count()

    with django_capture_on_commit_callbacks(execute=True):
        data_protection.retention_destroy(actor=admin, child=old_child, confirm=" old-0001 ")

    assert not Child.objects.filter(pk=child_id).exists()
    assert not Pep.objects.filter(child_id=child_id).exists()
    assert not SupportingDocument.objects.filter(pk=parts["document"].pk).exists()
    assert not Target.objects.filter(child_id=child_id).exists()
    assert not CareEpisode.objects.filter(child_id=child_id).exists()
    assert not SubjectAccessExport.objects.filter(pk=job.pk).exists()
    assert not any(default_storage.exists(f) for f in files)
    # Every earlier event is kept (who, what, when) but none holds a name or date of birth.
    assert AuditEvent.objects.filter(child_id=child_id).count() == before + 1
    assert _names_in_audit(child_id, "Agatha", "Oldrecord", "1940-06-01", "Two exclusions") == []
    stub = AuditEvent.objects.get(child_id=child_id, verb=AuditEvent.Verb.RECORD_DESTROYED)
    assert stub.actor == admin and stub.object_type == "children.child" and stub.object_id == str(child_id)
    assert stub.changes["la_reference"] == ["OLD-0001", None] and stub.changes["peps"] == [2, 0]
    # The other children are untouched.
    assert Child.objects.filter(pk=world.child.pk).exists()


def test_a_child_not_yet_past_the_date_is_refused_and_nothing_changes(world, vs_officer, media):
    admin = world.people["admin_user"]
    parts = fill_record(world.child, vs_officer)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="must be kept until 14 March 2087"):
        data_protection.retention_destroy(actor=admin, child=world.child, confirm=world.child.la_reference)
    assert Child.objects.filter(pk=world.child.pk).exists() and Pep.objects.filter(child=world.child).count() == 2
    assert default_storage.exists(document_path(parts["document"]))
    assert AuditEvent.objects.count() == events
    assert _names_in_audit(world.child.pk, "Ruby")


def test_a_wrong_reference_is_refused(world, old_child):
    with pytest.raises(ValidationError):
        data_protection.retention_destroy(actor=world.people["admin_user"], child=old_child, confirm="OLD-0002")
    assert Child.objects.filter(pk=old_child.pk).exists()


@pytest.mark.parametrize("persona", ["vs_officer", "social_worker", "other_la_admin"])
def test_only_an_la_admin_of_the_childs_la_may_destroy(world, old_child, persona):
    with pytest.raises(PermissionDenied):
        data_protection.retention_destroy(actor=world.people[persona], child=old_child, confirm="OLD-0001")
    assert Child.objects.filter(pk=old_child.pk).exists()
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.RECORD_DESTROYED).exists()


def test_the_admin_confirms_on_the_page_and_a_wrong_reference_shows_the_error_summary(world, old_child, client):
    client.force_login(world.people["admin_user"])
    listing = client.get(reverse("retention_list"))
    assert b"OLD-0001" in listing.content and b"Ruby" not in listing.content
    url = reverse("retention_destroy", args=[old_child.pk])
    page = client.get(url)
    assert b"govuk-warning-text" in page.content and b"1 June 2015" in page.content
    wrong = client.post(url, {"confirm": "nope"})
    assert wrong.status_code == 200 and b"govuk-error-summary" in wrong.content
    assert Child.objects.filter(pk=old_child.pk).exists()
    done = client.post(url, {"confirm": "OLD-0001"})
    assert done.status_code == 302 and done["Location"] == reverse("retention_list")
    assert not Child.objects.filter(pk=old_child.pk).exists()
    assert b"OLD-0001 has been destroyed" in client.get(done["Location"]).content


def test_the_admins_home_links_the_retention_page(world, old_child, client):
    client.force_login(world.people["admin_user"])
    home = client.get(reverse("home"))
    assert reverse("retention_list").encode() in home.content and b"1 record is past" in home.content
    client.force_login(world.people["vs_officer"])
    assert reverse("retention_list").encode() not in client.get(reverse("home")).content
