"""core.forms.form_service_call: a service's refusal (core.refusals.Refused) becomes a message
and a redirect; a rule it checked (ValidationError) lands on the form."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError

from core.forms import GovForm, form_service_call
from core.refusals import Refused


class NameForm(GovForm):
    name = forms.CharField(max_length=20)


def _request(rf):
    request = rf.post("/", {"name": "Ruby"})
    request._messages = CookieStorage(request)
    return request


def _call(raises):
    def call():
        raise raises
    return call


def test_a_refusal_is_said_and_the_person_sent_on(rf):
    request = _request(rf)
    form = NameForm(request.POST)
    assert form.is_valid()
    response = form_service_call(request, form, _call(Refused("This PEP has been approved")),
                                 success="Saved", done="/done/", refused_to="/refused/")
    assert response.status_code == 302 and response.url == "/refused/"
    assert [str(m) for m in get_messages(request)] == ["This PEP has been approved"]


def test_a_rule_the_service_checked_lands_on_the_form(rf):
    request = _request(rf)
    form = NameForm(request.POST)
    assert form.is_valid()
    assert form_service_call(request, form, _call(ValidationError({"name": "Enter another name"})),
                             success="Saved", done="/done/") is None
    assert form.errors == {"name": ["Enter another name"]}


def test_it_worked(rf):
    request = _request(rf)
    form = NameForm(request.POST)
    assert form.is_valid()
    response = form_service_call(request, form, lambda: 7, success="Saved", done=lambda n: f"/done/{n}/")
    assert response.url == "/done/7/"
    assert [str(m) for m in get_messages(request)] == ["Saved"]
