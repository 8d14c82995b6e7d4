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
from django.utils.html import conditional_escape

from .refusals import Refused, show_refusal


def _escaped(text: Any) -> Any:
    """Text as HTML-safe text: escaped unless it was marked safe on purpose (mark_safe,
    format_html, escape), so nothing is escaped twice."""
    return conditional_escape(text) if isinstance(text, str) and text else text


def _escape_layout(node: Any) -> None:
    """Escape every legend in a crispy layout (crispy-forms-gds prints `legend|safe`)."""
    context = getattr(node, "context", None)
    if isinstance(context, dict) and context.get("legend"):
        context["legend"] = _escaped(context["legend"])
    for child in getattr(node, "fields", None) or []:
        if not isinstance(child, str):
            _escape_layout(child)


def escape_field_text(field: forms.Field) -> None:
    """Escape a field's label, hint and choice labels (idempotent: escaped text is safe)."""
    field.label = _escaped(field.label)
    field.help_text = _escaped(field.help_text)
    if isinstance(field, forms.ModelChoiceField):
        if not getattr(field.label_from_instance, "escapes", False):
            plain = field.label_from_instance

            def label_from_instance(obj, plain=plain):
                return _escaped(str(plain(obj)))

            label_from_instance.escapes = True  # type: ignore[attr-defined]
            field.label_from_instance = label_from_instance  # type: ignore[method-assign]  # this field's own labels
    elif isinstance(field, forms.ChoiceField) and isinstance(choices := getattr(field, "_choices", None), list):
        field.choices = [
            (value, [(v, _escaped(text)) for v, text in label]) if isinstance(label, (list, tuple))
            else (value, _escaped(label))
            for value, label in choices
        ]


def escape_form_text(form: forms.BaseForm) -> None:
    """Escape every label, hint and choice label of a form, and every legend of its layout.

    crispy-forms-gds prints `field.label|safe`, `field.help_text|safe` and `legend|safe`, so
    a label built from data (an invitee's name, a criterion an LA admin wrote) would reach
    the page as markup. Text marked safe on purpose is left as it is.
    """
    for field in form.fields.values():
        escape_field_text(field)
    helper = getattr(form, "helper", None)
    if helper is not None and getattr(helper, "layout", None) is not None:
        _escape_layout(helper.layout)


class GovFormHelper(FormHelper):
    """crispy's helper that escapes, just before rendering, every label, hint, choice label
    and legend of the form (whatever the form's own __init__ set after the base's)."""

    def render_layout(self, form, context, template_pack=None):
        escape_form_text(form)
        if template_pack is None:
            return super().render_layout(form, context)
        return super().render_layout(form, context, template_pack=template_pack)


class GovFormMixin:
    """Renders fields with crispy-forms-gds; the page template owns <form> and buttons.

    Page templates put the error summary first (templates/includes/error_summary.html),
    then `{% crispy form %}`, then the GOV.UK button(s).
    """

    label_size = Size.SMALL

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = GovFormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = self.label_size
        self.helper.legend_size = self.label_size

    def __getitem__(self, name):
        # Every rendering of a field (a crispy layout, crispy without one, or a template's
        # {{ form.x.label }}) starts here, after the subclass has set its labels and choices.
        if name in self.fields and name not in self._bound_fields_cache:
            escape_field_text(self.fields[name])
        return super().__getitem__(name)

    def full_clean(self):
        for field in self.fields.values():
            _say_max_length(field)
        super().full_clean()


def _say_max_length(field: forms.Field) -> None:
    """A GOV.UK message for a text that is too long, unless the form wrote its own."""
    limit = getattr(field, "max_length", None)
    if limit is None or "max_length" in field.error_messages:
        return
    label = field.label if isinstance(field.label, str) and not hasattr(field.label, "__html__") else None
    what = label.rstrip("?: ").replace(" (optional)", "") if label else "This answer"
    field.error_messages = {**field.error_messages, "max_length": f"{what} must be {limit:,} characters or fewer"}


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


def show_rule_errors(form: forms.BaseForm, exc) -> None:
    """Put a service's ValidationError on the form: on the field it names if the form has
    that field, otherwise at the top (the error summary shows both)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, problems in errors.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def form_service_call(request, form: forms.Form, call: Callable[[], Any], *,
                      success: str, done: str | Callable[[Any], str], refused_to: str | None = None):
    """Call the service behind a valid form and answer the request (post/redirect/get).

    - it worked: the success message and a redirect to `done` (a URL, or a function of
      what the service returned);
    - a ValidationError (a rule the form could not check): on the form, and None is
      returned so the view shows the form again with its error summary;
    - the service refused outright (core.refusals.Refused, e.g. the PEP was closed
      meanwhile): the message and a redirect to `refused_to` (or `done`).
    """
    try:
        result = call()
    except ValidationError as exc:
        show_rule_errors(form, exc)
        return None
    except Refused as exc:
        return show_refusal(request, exc, refused_to or (done if isinstance(done, str) else "home"))
    messages.success(request, success)
    return redirect(done(result) if callable(done) else done)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """``form.fields[name]``, a choice field (django-stubs types ``form.fields`` as plain Fields)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """``form.fields[name]``, a model choice field (see choice_field)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field
