"""The one base every GOV.UK form in the portal shares."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms


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
