"""Structured security logs: JSON lines with a request id, security events present, and no
passwords, session keys or children's names anywhere in the output."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.logging import JsonFormatter, RequestIdFilter
from children import services as child_services
from core.roles import Role
from tests.factories import PASSWORD
from tests.security.helpers import sign_in

CHILD_NAMES = ("Ruby", "Testchild", "Otto", "Otherchild")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@contextmanager
def captured_logs():
    """Everything the portal logs at INFO and above, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def assert_nothing_secret(text: str, *secrets: str) -> None:
    for secret in (*secrets, *CHILD_NAMES):
        assert secret not in text, f"{secret!r} appeared in the logs:\n{text}"


def test_a_login_a_failure_and_a_child_record_edit_log_events_but_no_secrets(world):
    client = Client()
    sw = world.people["social_worker"]
    with captured_logs() as stream:
        sign_in(client, sw.email, "a-wrong-password-guess")
        sign_in(client, sw.email)
        session_key = client.session.session_key
        page = client.get(reverse("child_detail", kwargs={"pk": world.child.pk}))
        assert page.status_code == 200 and "Ruby" in page.content.decode()
        child_services.child_update(actor=sw, child=world.child, preferred_name="Rubes",
                                    first_name="Ruby", last_name="Testchild")
        outsider = Client()
        outsider.force_login(world.people["outsider_social_worker"])
        assert outsider.get(reverse("child_detail", kwargs={"pk": world.child.pk})).status_code == 404
        client.post(reverse("account_logout"))
    text = stream.getvalue()
    assert_nothing_secret(text, PASSWORD, "a-wrong-password-guess", session_key, "Rubes")
    events = [line.get("event") for line in lines(stream)]
    for event in ("login_failed", "login", "child_404", "logout"):
        assert event in events, f"{event} was not logged: {events}"
    for line in lines(stream):
        assert {"time", "level", "logger", "message", "request_id"} <= set(line)
    login = next(line for line in lines(stream) if line.get("event") == "login")
    assert len(login["request_id"]) == 32 and login["user_id"] == sw.pk


def test_a_request_id_from_the_proxy_is_kept_and_returned(world, client):
    with captured_logs() as stream:
        response = client.post(reverse("account_login"), {"login": "x@example.test", "password": "nope-nope-nope"},
                               HTTP_X_REQUEST_ID="proxy-abc-12345")
    assert response["X-Request-ID"] == "proxy-abc-12345"
    assert any(line["request_id"] == "proxy-abc-12345" for line in lines(stream))


def _every_page_as(persona: str, world) -> list[tuple[str, int]]:
    """Visit every URL in the access matrix (every app's rows) as one persona.

    Each row runs in a savepoint that is rolled back, as the rows' URL builders create the
    objects they need (one PEP per child, for instance).
    """
    from tests.test_access_matrix import ROWS

    visited = []
    for row in ROWS:
        savepoint = transaction.savepoint()
        try:
            client = Client()
            client.force_login(world.people[persona])
            url = reverse(row.name, kwargs=row.kwargs(world))
            data = row.data(world) if row.data else {}
            response = getattr(client, row.method)(url, data)
            visited.append((url, response.status_code))
        finally:
            transaction.savepoint_rollback(savepoint)
    return visited


@pytest.mark.parametrize("persona", ["social_worker", "designated_teacher", "outsider_carer"])
def test_no_page_in_the_portal_logs_a_childs_name(persona, world):
    # Every app's pages, as listed in the access matrix, so new pages are covered as they
    # arrive.
    with captured_logs() as stream:
        visited = _every_page_as(persona, world)
    assert len(visited) > 10
    assert_nothing_secret(stream.getvalue(), PASSWORD)


def test_the_json_formatter_copies_only_known_safe_fields():
    record = logging.LogRecord("epep.security", logging.INFO, __file__, 1, "x", None, None)
    record.password = "hunter2-hunter2"
    record.child_name = "Ruby"
    record.event = "login"
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "login"
    assert "password" not in line and "child_name" not in line


def test_the_logging_configuration_uses_the_json_formatter_and_request_ids():
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == "json" and "request_id" in handler["filters"]
    assert settings.LOGGING["loggers"]["epep.security"]["level"] == "INFO"


def test_permission_changes_are_security_events(world):

    admin = world.people["admin_user"]
    with captured_logs() as stream:
        link = child_services.team_link(actor=admin, child=world.child, user=world.people["outsider_carer"],
                                        role=Role.CARER)
        child_services.team_unlink(actor=admin, link=link)
    events = {line.get("event"): line for line in lines(stream)}
    assert "audit_linked" in events and "audit_unlinked" in events
    assert events["audit_linked"]["user_id"] == admin.pk
    assert events["audit_linked"]["child_id"] == world.child.pk
    assert_nothing_secret(stream.getvalue())


def test_a_pep_section_edit_logs_no_childs_name_or_typed_text(world):
    """The PEP edit page (peps' own access-matrix row builds the PEP) is filled in and saved
    through the real form, with the child's name in the typed text."""
    from tests.test_access_matrix import ROWS

    row = next(r for r in ROWS if r.name == "pep_section_edit" and r.outcome("social_worker") == "ok")
    client = Client()
    client.force_login(world.people["social_worker"])
    url = reverse(row.name, kwargs=row.kwargs(world))
    page = client.get(url)
    assert page.status_code == 200
    form = _first_post_form(page.content.decode())
    typed = "Ruby Testchild is settled with her carer"
    data = {name: (typed if kind == "textarea" else value) for name, kind, value in form}
    with captured_logs() as stream:
        response = client.post(url, data)
    assert response.status_code == 302, "the section should save"
    assert typed in client.get(url).content.decode()
    assert_nothing_secret(stream.getvalue(), typed, client.session.session_key)


def _first_post_form(html: str) -> list[tuple[str, str, str]]:
    """(name, kind, value) of each field of the page's main POST form, with values as sent."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.in_form, self.done = [], False, False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form" and (attrs.get("method") or "").lower() == "post" and not self.done \
                    and not (attrs.get("action") or "").endswith("/logout/"):
                self.in_form = True
            elif self.in_form and tag in ("input", "textarea", "select") and attrs.get("name"):
                kind = tag if tag != "input" else (attrs.get("type") or "text")
                if kind in ("radio", "checkbox") and "checked" not in attrs:
                    return
                self.fields.append((attrs["name"], kind, attrs.get("value") or ""))

        def handle_endtag(self, tag):
            if tag == "form" and self.in_form:
                self.in_form, self.done = False, True

    parser = Parser()
    parser.feed(html)
    assert parser.fields, "the edit page should have a form"
    return parser.fields
