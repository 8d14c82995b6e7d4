"""The one base every GOV.UK form in the portal shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.html import conditional_escape

from core.text import lower_first

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
        style_invalid_fields(form)
        if template_pack is None:
            return super().render_layout(form, context)
        return super().render_layout(form, context, template_pack=template_pack)


if TYPE_CHECKING:  # the mixin is only ever mixed into a Django form
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class GovFormMixin(_FormBase):
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
        for name, field in self.fields.items():
            _say_max_length(field)
            _say_gov_uk_messages(name, field)
        super().full_clean()
        style_invalid_fields(self)

    def field_names_in_page_order(self) -> list[str]:
        """The form's fields in the order the page shows them (its crispy layout's, then the rest)."""
        names: list[str] = []
        layout = getattr(getattr(self, "helper", None), "layout", None)
        if layout is not None:
            for pointer in layout.get_field_names():
                name = getattr(pointer, "name", None) or pointer[1]
                if name in self.fields and name not in names:
                    names.append(name)
        return names + [name for name in self.fields if name not in names]

    def add_linked_error(self, message: str, href: str) -> None:
        """A form-wide error about something changed on another page: the error summary links
        to `href` (a path on the portal) instead of a field of this form."""
        self.add_error(None, message)
        self.__dict__.setdefault("_error_links", {})[message] = href

    def errors_in_page_order(self) -> list[tuple[str, str]]:
        """(anchor id, message) for the error summary: the form's own errors first, then each
        field's in page order (GOV.UK: the summary lists errors in the order they appear). An
        error added with add_linked_error has its page's path (starting "/") as the anchor."""
        visible = [self[name] for name in self.field_names_in_page_order() if not self[name].is_hidden]
        first = visible[0].id_for_label if visible else ""
        links = self.__dict__.get("_error_links", {})
        result = [(links.get(str(error), first), str(error)) for error in self.non_field_errors()]
        for bound in visible:
            result += [(bound.id_for_label, str(error)) for error in bound.errors]
        return result


# The GOV.UK error class of each kind of control (crispy-forms-gds adds one only to
# exactly TextInput, Select and Textarea, and govuk-input--error to all three).
_ERROR_CLASSES = ((forms.Textarea, "govuk-textarea--error"), (forms.Select, "govuk-select--error"),
                  (forms.FileInput, "govuk-file-upload--error"), (forms.widgets.Input, "govuk-input--error"))


def style_invalid_fields(form: forms.BaseForm) -> None:
    """Put the GOV.UK error class on the control of every invalid field (its form group gets
    govuk-form-group--error from the template). Idempotent."""
    errors = getattr(form, "_errors", None)  # None until the form has been cleaned
    if not form.is_bound or errors is None:
        return
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput,
                               forms.HiddenInput, forms.MultiWidget)):
            continue
        error_class = next((css for kind, css in _ERROR_CLASSES if isinstance(widget, kind)), None)
        if error_class is None:
            continue
        classes = widget.attrs.get("class", "").split()
        if name in errors and error_class not in classes:
            widget.attrs["class"] = " ".join([*classes, error_class])
        elif name not in errors and error_class in classes:
            widget.attrs["class"] = " ".join(c for c in classes if c != error_class)


def _say_max_length(field: forms.Field) -> None:
    """A GOV.UK message for a text that is too long, unless the form wrote its own."""
    limit = getattr(field, "max_length", None)
    if limit is None or "max_length" in field.error_messages:
        return
    label = field.label if isinstance(field.label, str) and not hasattr(field.label, "__html__") else None
    what = label.rstrip("?: ").replace(" (optional)", "") if label else "This answer"
    field.error_messages = {**field.error_messages, "max_length": f"{what} must be {limit:,} characters or fewer"}


# Django's own wording, replaced wherever a form did not write its own (GOV.UK error messages
# say what to do, name the field, and have no full stop).
_DJANGO_DEFAULT_TEXTS = frozenset(
    str(message)
    for klass in (forms.Field, forms.ChoiceField, forms.MultipleChoiceField, forms.ModelChoiceField,
                  forms.ModelMultipleChoiceField, forms.DateField, forms.DateTimeField, forms.TimeField,
                  forms.IntegerField, forms.DecimalField, forms.FloatField, forms.EmailField, forms.URLField,
                  forms.FileField, forms.ImageField, forms.TypedChoiceField, forms.UUIDField,
                  forms.BooleanField, forms.NullBooleanField)
    for message in klass.default_error_messages.values()
)


def _field_words(name: str, field: forms.Field) -> tuple[str, bool]:
    """The field's label as words for a message ('date of the meeting'), and whether it is a question."""
    label = field.label if isinstance(field.label, str) and field.label else name.replace("_", " ")
    label = str(label).replace(" (optional)", "").strip().rstrip(":").strip()
    question = label.endswith("?")
    # Keep capitals of a leading acronym (PEP, SDQ, UPN); lower an ordinary first word.
    if not question:
        label = lower_first(label)
    return label, question


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _say_gov_uk_messages(name: str, field: forms.Field) -> None:
    """A GOV.UK message from the field's label for each Django default the form did not replace:
    'Enter the date of the meeting', 'Select who chairs PEP meetings', 'Date of birth must be a
    real date'. Idempotent: a message the form (or this function) wrote is left alone."""
    what, question = _field_words(name, field)
    thing = f"an answer to ‘{what}’" if question else what
    subject = f"The answer to ‘{what}’" if question else _capitalised(what)
    choosing = isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField)) or (
        isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select)))
    one_of = f"Select one of the options for ‘{what}’" if question else f"Select one of the options for {what}"
    wanted = {
        "required": (f"Select a file for {what}" if isinstance(field, forms.FileField)
                     else f"Select {thing}" if choosing else f"Enter {thing}"),
        "invalid_choice": one_of,
        "invalid_list": one_of,
        "invalid_pk_value": one_of,
        "list": one_of,
    }
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        wanted["invalid"] = f"{subject} must be a real date, like 27/3/2026"
    elif isinstance(field, forms.TimeField):
        wanted["invalid"] = f"{subject} must be a real time, like 14:30"
    elif isinstance(field, forms.IntegerField):
        wanted["invalid"] = f"{subject} must be a whole number"
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):
        wanted["invalid"] = f"{subject} must be a number"
    elif isinstance(field, forms.EmailField):
        wanted["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        wanted["invalid"] = f"{subject} must be a web address, like https://example.org"
    elif isinstance(field, forms.FileField):
        wanted["invalid"] = f"The file for {what} could not be read: select it again"
        wanted["empty"] = f"The file for {what} is empty"
        wanted["missing"] = f"Select a file for {what}"
    else:
        wanted["invalid"] = f"Enter {thing} in the correct format"
    # Limits: Django's "Ensure this value is ..." names no field.
    wanted["min_value"] = f"{subject} must be %(limit_value)s or more"
    wanted["max_value"] = f"{subject} must be %(limit_value)s or less"
    wanted["max_digits"] = f"{subject} must have no more than %(max)s digits"
    wanted["max_decimal_places"] = f"{subject} must have no more than %(max)s decimal places"
    wanted["min_length"] = f"{subject} must be %(limit_value)s characters or more"
    # Django %-formats the messages that come with params: a "%" of the label must be doubled there.
    for key in ("invalid_choice", "invalid_pk_value", "min_value", "max_value", "max_digits",
                "max_decimal_places", "min_length"):
        text = wanted[key] if key in wanted else None
        if text is not None:
            wanted[key] = text.replace("%", "%%").replace("%%(", "%(")
    messages = dict(field.error_messages)
    for key, text in wanted.items():
        current = messages.get(key)
        if current is not None and str(current) not in _DJANGO_DEFAULT_TEXTS:
            continue  # the form's own wording
        # "invalid" is only Django's where the field type has one; a custom validator's
        # "invalid" message (a regex, say) is the form's own and stays.
        if current is None and key in ("invalid", "invalid_choice", "invalid_list", "invalid_pk_value", "list",
                                       "empty", "missing"):
            continue
        messages[key] = text
    field.error_messages = messages


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
