"""Issue 14, point 9: no form of the portal shows Django's default wording. Every form the
portal defines is bound to empty data and to wrong data in each field; no error it gives (nor
its rendering) says "This field is required.", "Enter a valid date.", "Select a valid choice"
or "Enter a whole number." (GOV.UK messages name the field: "Enter the date of the meeting")."""

from __future__ import annotations

import pytest
from django import forms

from core.forms import GovForm
from tests.security.test_forms_fuzz import FORMS, constructor_kwargs

DJANGO_DEFAULTS = ("This field is required", "Enter a valid date", "Select a valid choice", "Enter a whole number.",
                   "Enter a number.", "Enter a valid email address", "Ensure this value")


def _wrong_value(field: forms.Field):
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return ["not-a-choice"]
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return "twelve"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "not-a-choice"
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return "31/02/2026x"
    if isinstance(field, forms.EmailField):
        return "not an email"
    return None


def _problems(form) -> list[str]:
    form.is_valid()
    texts = [str(e) for errors in form.errors.values() for e in errors]
    return [t for t in texts if any(d in t for d in DJANGO_DEFAULTS)]


@pytest.mark.parametrize("form_class", FORMS, ids=[f"{f.__module__}.{f.__qualname__}" for f in FORMS])
def test_no_form_says_what_django_says_by_default(form_class, world):
    kwargs = constructor_kwargs(form_class, world)
    empty = form_class(data={}, **kwargs)
    problems = _problems(empty)
    assert not any(d in str(empty) for d in DJANGO_DEFAULTS), "the empty form renders a default message"
    probe = form_class(**kwargs)
    wrong = {name: value for name, field in probe.fields.items()
             if (value := _wrong_value(field)) is not None}
    problems += _problems(form_class(data=wrong, **kwargs))
    assert not problems, f"{form_class.__qualname__} says: {problems}"


class _Example(GovForm):
    date_of_the_meeting = forms.DateField(label="Date of the meeting")
    format = forms.ChoiceField(label="Where will the meeting be?", choices=[("a", "A")], widget=forms.RadioSelect)
    score = forms.IntegerField(label="SDQ score", min_value=0, max_value=40)
    reason = forms.CharField(label="Reason (optional)", required=False)
    name = forms.CharField(label="Full name")


def test_the_form_base_writes_each_message_from_the_label():
    form = _Example(data={"score": "x"})
    assert not form.is_valid()
    assert form.errors["date_of_the_meeting"] == ["Enter date of the meeting"]
    assert form.errors["format"] == ["Select an answer to ‘Where will the meeting be?’"]
    assert form.errors["score"] == ["SDQ score must be a whole number"]
    assert form.errors["name"] == ["Enter full name"]
    form = _Example(data={"date_of_the_meeting": "2026-13-45", "format": "z", "score": "41", "name": "x"})
    assert not form.is_valid()
    assert form.errors["date_of_the_meeting"] == ["Date of the meeting must be a real date, like 27/3/2026"]
    assert form.errors["format"] == ["Select one of the options for ‘Where will the meeting be?’"]
    assert form.errors["score"] == ["SDQ score must be 40 or less"]


def test_a_message_the_form_wrote_is_kept():
    class Own(GovForm):
        when = forms.DateField(label="When", error_messages={"required": "Enter the date of the meeting"})

    form = Own(data={})
    form.is_valid()
    assert form.errors["when"] == ["Enter the date of the meeting"]


def test_a_percent_sign_in_a_label_does_not_break_a_message():
    class Percent(GovForm):
        rating = forms.ChoiceField(label="Attendance of 95% or more", choices=[("a", "A")])
        share = forms.IntegerField(label="Share in %", min_value=0)

    form = Percent(data={"rating": "z", "share": "-1"})
    assert not form.is_valid()
    assert form.errors["rating"] == ["Select one of the options for attendance of 95% or more"]
    assert form.errors["share"] == ["Share in % must be 0 or more"]
    assert Percent(data={}).errors["rating"] == ["Select attendance of 95% or more"]
