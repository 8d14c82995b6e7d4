"""The one base every GOV.UK form in the portal shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


class GovFormMixin:
    """Renders fields with crispy-forms-gds; the page template owns <form> and buttons.

    Page templates put the error summary first (templates/includes/error_summary.html),
    then `{% crispy form %}`, then the GOV.UK button(s).
    """

    label_size = Size.SMALL

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = self.label_size
        self.helper.legend_size = self.label_size


class GovForm(GovFormMixin, forms.Form):
    pass


class GovModelForm(GovFormMixin, forms.ModelForm):
    pass


class GovDateField(forms.DateField):
    """A date typed as day/month/year or 2026-01-31, with GOV.UK wording."""

    default_error_messages = {
        "invalid": "Enter a real date, like 27/3/2026",
        "required": "Enter a date",
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"])
        kwargs.setdefault("widget", forms.DateInput(attrs={"inputmode": "numeric"}, format="%d/%m/%Y"))
        super().__init__(*args, **kwargs)


def show_rule_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on the form: on the field it names if the form has
    that field, otherwise at the top (the error summary shows both)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, problems in errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def form_service_call(request, form: forms.Form, call: Callable[[], Any], *, refused: type[Exception],
                      success: str, done: str | Callable[[Any], str], refused_to: str | None = None):
    """Call the service behind a valid form and answer the request (post/redirect/get).

    - it worked: the success message and a redirect to `done` (a URL, or a function of
      what the service returned);
    - a ValidationError (a rule the form could not check): on the form, and None is
      returned so the view shows the form again with its error summary;
    - the service refused outright (`refused`, an exception with a `.message`, e.g. the
      PEP was closed meanwhile): the message and a redirect to `refused_to` (or `done`).
    """
    try:
        result = call()
    except ValidationError as exc:
        show_rule_errors(form, exc)
        return None
    except refused as exc:
        messages.error(request, exc.message)
        return redirect(refused_to or (done if isinstance(done, str) else "home"))
    messages.success(request, success)
    return redirect(done(result) if callable(done) else done)
