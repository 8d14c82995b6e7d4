"""The outbox: written in the caller's transaction, delivered after commit, retried, with
attachments; and every email of the portal goes through it."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Outbox
from core.notifications import Attachment, outbox_deliver, outbox_enqueue


def test_an_outbox_email_is_sent_after_commit_and_marked_sent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox_enqueue(to="a@example.test", subject="Hello", body="Body")
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert [m.to for m in mail.outbox] == [["a@example.test"]]


def test_an_outbox_email_is_not_sent_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_enqueue(to="a@example.test", subject="Hello", body="Body")
            raise RuntimeError
    assert callbacks == [] and Outbox.objects.count() == 0 and mail.outbox == []


def test_an_outbox_dedupe_key_is_used_once(db):
    assert outbox_enqueue(to="a@example.test", subject="S", body="B", dedupe_key="k1") is not None
    assert outbox_enqueue(to="a@example.test", subject="S", body="B", dedupe_key="k1") is None
    assert Outbox.objects.count() == 1


def test_many_enqueued_emails_publish_one_delivery(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for i in range(5):
            outbox_enqueue(to=f"p{i}@example.test", subject="S", body="B")
    assert len(callbacks) == 1


def test_a_failed_delivery_is_recorded_and_retried_by_the_sweeper(db, settings):
    outbox_enqueue(to="a@example.test", subject="S", body="B")
    Outbox.objects.update(sent_at=None, attempts=0)
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.core.failing_backend.EmailBackend"
    assert outbox_deliver() == 0
    row = Outbox.objects.get()
    assert (row.attempts, row.sent_at) == (1, None) and "SMTPServerDisconnected" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver() == 1
    assert outbox_deliver() == 0
    assert len(mail.outbox) == 1


def test_attachments_travel_with_the_email_text_and_bytes(db):
    outbox_enqueue(to="a@example.test", subject="S", body="B",
                   attachments=[Attachment("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                           "text/calendar; method=REQUEST; charset=UTF-8"),
                                Attachment("blob.bin", b"\x00\xffbytes", "application/octet-stream")])
    assert outbox_deliver() == 1
    (message,) = mail.outbox
    assert message.attachments == [
        ("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=REQUEST; charset=UTF-8"),
        ("blob.bin", b"\x00\xffbytes", "application/octet-stream"),
    ]
    assert Outbox.objects.get().sent_at is not None


def test_a_password_reset_email_goes_through_the_outbox(client, carer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("account_reset_password"), {"email": carer.email})
    assert response.status_code == 302
    row = Outbox.objects.get(to=carer.email)
    assert row.sent_at is None and "/accounts/password/reset/key/" in row.body
    assert mail.outbox == []
    assert outbox_deliver() == 1
    (message,) = mail.outbox
    assert message.to == [carer.email] and message.subject == row.subject and message.body == row.body


# Where an email may be handed to Django's mail API: the outbox and the Notify backend.
ALLOWED = {"core/notifications.py", "core/notify.py"}
DIRECT = re.compile(r"(?<!def )\bsend_mail\(|\bsend_mass_mail\(|\bmail_admins\(|\bmail_managers\(|"
                    r"\bEmailMessage\(|\bEmailMultiAlternatives\(|\.send\(|\.send_messages\(")


def test_no_code_sends_email_except_through_the_outbox():
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in {"tests", "bench", ".venv", "node_modules", "static"} or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if DIRECT.search(line.split("#")[0]):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "Send email with core.notifications.outbox_enqueue:\n" + "\n".join(offenders)
