"""The GOV.UK Notify email backend, against a local stand-in for the Notify API.

The stand-in is a real HTTP server on 127.0.0.1 (Notify itself is off the machine): it
checks each request's JSON Web Token the way Notify does (HS256 signed with the key's
secret, issued by the service id), records the JSON posted and answers as Notify answers
(201 with the notification, or 400 with Notify's error list).
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection, send_mail
from notifications_python_client.errors import HTTPError

from core.models import Outbox
from core.notifications import outbox_deliver, outbox_enqueue

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"epep_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())
REFUSED = "team-only@example.test"


class NotifyStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[dict] = []
        self.tokens: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: NotifyStandIn

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": True})
        except jwt.PyJWTError:
            return self._answer(403, {"status_code": 403, "errors": [
                {"error": "AuthError", "message": "Invalid token: signature, api token not found"}]})
        if self.path != "/v2/notifications/email" or claims.get("iss") != SERVICE_ID:
            return self._answer(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": "no"}]})
        self.server.tokens.append(claims)
        self.server.posts.append(body)
        if body["email_address"] == REFUSED:
            return self._answer(400, {"status_code": 400, "errors": [
                {"error": "BadRequestError", "message": "Can’t send to this recipient using a team-only API key"}]})
        personalisation = body.get("personalisation", {})
        return self._answer(201, {
            "id": str(uuid.uuid4()), "reference": body.get("reference"),
            "content": {"subject": personalisation.get("subject"), "body": personalisation.get("body"),
                        "from_email": "epep@notifications.service.gov.uk", "one_click_unsubscribe_url": None},
            "uri": f"{self.server.url}/v2/notifications/x",
            "template": {"id": body["template_id"], "version": 1, "uri": f"{self.server.url}/v2/template/x"},
            "scheduled_for": None,
        })


@pytest.fixture
def notify(settings):
    server = NotifyStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.GOVUK_NOTIFY_BASE_URL = server.url
    settings.GOVUK_NOTIFY_REPLY_TO_ID = ""
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_the_outbox_sends_through_notify_when_it_is_the_email_backend(notify):
    outbox_enqueue(to="sw@example.test", subject="PEP due for Ruby", body="Ruby's PEP is due on 3 December.")
    outbox_enqueue(to="dt@example.test", subject="Digest", body="Two PEPs are due.")
    Outbox.objects.update(sent_at=None)  # test settings deliver eagerly; deliver here instead
    mail.outbox.clear()

    assert outbox_deliver() == 2

    assert sorted(notify.posts, key=lambda p: p["email_address"]) == [
        {"email_address": "dt@example.test", "template_id": TEMPLATE_ID,
         "personalisation": {"subject": "Digest", "body": "Two PEPs are due."}},
        {"email_address": "sw@example.test", "template_id": TEMPLATE_ID,
         "personalisation": {"subject": "PEP due for Ruby", "body": "Ruby's PEP is due on 3 December."}},
    ]
    assert all(claims["iss"] == SERVICE_ID for claims in notify.tokens)
    assert not Outbox.objects.filter(sent_at__isnull=True).exists()
    assert mail.outbox == []  # nothing went to the locmem backend


@pytest.mark.django_db
def test_a_refusal_from_notify_stays_in_the_outbox_with_notifys_reason(notify):
    outbox_enqueue(to=REFUSED, subject="S", body="B")
    outbox_enqueue(to="vs@example.test", subject="S2", body="B2")
    Outbox.objects.update(sent_at=None, attempts=0)

    assert outbox_deliver() == 1

    refused = Outbox.objects.get(to=REFUSED)
    assert refused.sent_at is None and refused.attempts == 1
    assert refused.last_error.startswith("HTTPError: 400")
    assert "team-only API key" in refused.last_error
    assert Outbox.objects.get(to="vs@example.test").sent_at is not None
    # The key's secret never lands in the stored error.
    assert SECRET not in refused.last_error


def test_a_refusal_raises_unless_the_caller_asked_to_fail_silently(notify):
    with pytest.raises(HTTPError) as caught:
        send_mail("S", "B", None, [REFUSED])
    assert caught.value.status_code == 400
    assert send_mail("S", "B", None, [REFUSED], fail_silently=True) == 0


def test_each_recipient_is_one_notify_request_and_attachments_are_not_sent(notify):
    message = EmailMessage("Meeting", "See you on Tuesday.", None, ["a@example.test", "b@example.test"],
                           cc=["c@example.test"])
    message.attach("pep-meeting.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    assert get_connection().send_messages([message]) == 1
    assert [p["email_address"] for p in notify.posts] == ["a@example.test", "b@example.test", "c@example.test"]
    assert all(set(p) == {"email_address", "template_id", "personalisation"} for p in notify.posts)


def test_a_reply_to_address_is_sent_when_the_council_set_one(notify, settings):
    settings.GOVUK_NOTIFY_REPLY_TO_ID = reply_to = str(uuid.uuid4())
    send_mail("S", "B", None, ["a@example.test"])
    assert notify.posts[0]["email_reply_to_id"] == reply_to


def test_a_wrong_key_is_refused_by_notify(notify, settings):
    settings.GOVUK_NOTIFY_API_KEY = f"epep_test-{SERVICE_ID}-{uuid.uuid4()}"
    with pytest.raises(HTTPError) as caught:
        send_mail("S", "B", None, ["a@example.test"])
    assert caught.value.status_code == 403
    assert notify.posts == []


def test_the_notify_backend_without_a_key_or_template_says_what_to_set(settings):
    settings.EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = ""
    settings.GOVUK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    with pytest.raises(ImproperlyConfigured, match="GOVUK_NOTIFY_API_KEY"):
        get_connection()
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_TEMPLATE_ID = ""
    with pytest.raises(ImproperlyConfigured, match="GOVUK_NOTIFY_TEMPLATE_ID"):
        get_connection()


def test_a_missing_key_fails_the_system_checks_only_when_notify_is_the_backend(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = ""
    with pytest.raises(SystemCheckError, match="epep.E001"):
        call_command("check")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("check")
