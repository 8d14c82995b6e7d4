"""Issue 14, point 9: errors in page order, every invalid field styled, and the past-date
checks reported with the other errors (not on a second submit)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.template import Context, Template

from core.forms import GovForm
from meetings.forms import RecordForm, ScheduleForm
from tests.security.test_forms_fuzz import _schedule_kwargs


def _render(form) -> str:
    return Template("{% load crispy_forms_tags %}{% include 'includes/error_summary.html' %}{% crispy form %}").render(
        Context({"form": form}))


def test_a_past_meeting_date_is_reported_with_the_other_errors(world):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    form = ScheduleForm(data={"date": yesterday, "time": "10:00", "duration_minutes": "60"},
                        **_schedule_kwargs(world))
    assert not form.is_valid()
    assert form.errors["date"] == ["The date and time of the meeting must be in the future"]
    assert "format" in form.errors and "chair" in form.errors
    # Without a time yet, a day before today is still reported.
    form = ScheduleForm(data={"date": yesterday}, **_schedule_kwargs(world))
    assert not form.is_valid()
    assert form.errors["date"] == ["The date and time of the meeting must be in the future"]
    assert "time" in form.errors


def test_a_next_meeting_before_this_one_and_missing_answers_are_reported_together():
    form = RecordForm(data={"held_on": "10/11/2025", "next_meeting_on": "01/11/2025"}, invitees=[])
    assert not form.is_valid()
    assert form.errors["next_meeting_on"] == ["The next PEP meeting must be after this one"]
    assert {"child_participation", "going_well", "support_in_place"} <= set(form.errors)


def test_a_meeting_held_in_the_future_is_reported_with_the_other_errors():
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    form = RecordForm(data={"held_on": tomorrow}, invitees=[])
    assert not form.is_valid()
    assert form.errors["held_on"] == ["The date the meeting was held must be today or in the past"]
    assert "next_meeting_on" in form.errors


class _Reordered(GovForm):
    second = forms.CharField(label="Second on the page")
    first = forms.CharField(label="First on the page")
    choice = forms.ChoiceField(label="A select", choices=[("", "Choose"), ("a", "A")])
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    when = forms.DateField(label="When", widget=forms.DateInput)

    def __init__(self, *args, **kwargs):
        from crispy_forms_gds.layout import Layout

        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("first", "second", "choice", "notes", "when")


def test_the_error_summary_lists_errors_in_page_order():
    form = _Reordered(data={})
    assert not form.is_valid()
    assert [anchor for anchor, _message in form.errors_in_page_order()] == [
        "id_first", "id_second", "id_choice", "id_notes", "id_when"]
    html = _render(form)
    assert html.index('href="#id_first"') < html.index('href="#id_second"')


def test_every_invalid_field_is_styled():
    html = _render(_Reordered(data={}))
    assert html.count("govuk-form-group--error") == 5
    assert 'class="govuk-select govuk-select--error' in html or "govuk-select--error" in html
    assert "govuk-textarea--error" in html
    # The date box (a DateInput, which crispy-forms-gds leaves unstyled) is styled too.
    date_input = html[html.index('name="when"') - 200:html.index('name="when"') + 200]
    assert "govuk-input--error" in date_input


def test_a_valid_field_is_not_styled_as_an_error():
    html = _render(_Reordered(data={"first": "x", "second": "y", "choice": "a", "notes": "n", "when": "2026-01-01"}))
    assert "--error" not in html
