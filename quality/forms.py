"""GOV.UK forms for quality assurance, criteria, the dashboard's term and exports."""

from __future__ import annotations

import datetime as dt

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.calendar import SchoolCalendar, TermRef, academic_year_label, academic_year_start, last_terms
from core.forms import GovForm, GovModelForm, choice_field
from core.text import lower_first

from .models import QaCriterion, QaRating, QaReview, Rag

RATING_CHOICES = [(Rag.GREEN, "Green"), (Rag.AMBER, "Amber"), (Rag.RED, "Red")]


class QaReviewForm(GovForm):
    """One red/amber/green choice and a comment per criterion, then the decision."""

    def __init__(self, *args, criteria: list[QaCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for i, criterion in enumerate(criteria, start=1):
            self.fields[f"rating_{criterion.pk}"] = forms.ChoiceField(
                # An LA admin wrote this text: the form base escapes it (crispy-forms-gds
                # prints labels with |safe).
                label=f"{i}. {criterion.text}", choices=RATING_CHOICES, widget=forms.RadioSelect,
                error_messages={"required": f"Select a rating for ‘{criterion.text}’"},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on criterion {i}", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                max_length=QaRating._meta.get_field("comment").max_length,
                help_text="Needed when the rating is amber or red",
            )
        self.fields["comment"] = forms.CharField(
            label="Overall comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
            max_length=QaReview._meta.get_field("comment").max_length,
        )
        self.fields["decision"] = forms.ChoiceField(
            label="What happens next", widget=forms.RadioSelect,
            choices=[(QaReview.Decision.APPROVED, "Approve the PEP"),
                     (QaReview.Decision.RETURNED, "Return the PEP to the team with the reasons")],
            help_text="A PEP with any red rating is returned",
            error_messages={"required": "Select whether to approve or return the PEP"},
        )
        # One compact row of radios per criterion, its comment underneath.
        items = []
        for criterion in criteria:
            items.append(Field.radios(f"rating_{criterion.pk}", legend_size=Size.SMALL, legend_tag="h3",
                                      inline=True, small=True))
            items.append(Field.textarea(f"comment_{criterion.pk}", rows=2))
        items += [Field.textarea("comment", rows=3), Field.radios("decision", legend_size=Size.MEDIUM)]
        self.helper.layout = Layout(*items)

    def clean(self):
        cleaned = super().clean()
        ratings = []
        for criterion in self.criteria:
            rating = cleaned.get(f"rating_{criterion.pk}")
            comment = (cleaned.get(f"comment_{criterion.pk}") or "").strip()
            if rating in (Rag.RED, Rag.AMBER) and not comment:
                self.add_error(f"comment_{criterion.pk}",
                               f"Enter a comment for ‘{criterion.text}’, rated {rating}")
            ratings.append(rating)
        if Rag.RED in ratings and cleaned.get("decision") == QaReview.Decision.APPROVED:
            self.add_error("decision", "A PEP with a red rating must be returned, not approved")
        return cleaned

    def rating_inputs(self):
        from .services import RatingInput

        return [RatingInput(criterion_id=c.pk, rating=self.cleaned_data[f"rating_{c.pk}"],
                            comment=self.cleaned_data.get(f"comment_{c.pk}") or "") for c in self.criteria]


class CriterionForm(GovModelForm):
    class Meta:
        model = QaCriterion
        fields = ["text", "code", "order", "active"]
        labels = {
            "text": "What the Virtual School checks",
            "code": "Short code",
            "order": "Position in the list",
            "active": "In use",
        }
        help_texts = {
            "code": "Lower-case letters, numbers and hyphens, like childs-voice",
            "order": "Criteria are listed from the lowest number",
            "active": "Untick to stop using it; past ratings keep its text",
        }
        error_messages = {
            "text": {"required": "Enter what the Virtual School checks"},
            "code": {"required": "Enter a short code", "invalid": "Enter a code using letters, numbers and hyphens"},
            "order": {"required": "Enter a position", "invalid": "Enter a whole number"},
        }

    def __init__(self, *args, la, **kwargs):
        super().__init__(*args, **kwargs)
        self.la = la

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        clash = QaCriterion.objects.filter(local_authority=self.la, code=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another criterion already uses this code")
        return code


def term_choices(today: dt.date, calendar: SchoolCalendar | None = None) -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in reversed(last_terms(today, 6, calendar))]


class TermForm(GovForm):
    term = forms.ChoiceField(label="Term")

    def __init__(self, *args, today: dt.date, calendar: SchoolCalendar | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "term").choices = term_choices(today, calendar)
        self.fields["term"].error_messages["invalid_choice"] = "Select one of the last six terms"

    def term_ref(self) -> TermRef:
        ref = TermRef.parse(self.cleaned_data["term"])
        if ref is None:  # The choices are terms' keys.
            raise ValueError("term_ref() of a form that is not valid")
        return ref


class ExportForm(TermForm):
    pass


class Select(forms.Select):
    """A <select> of flat choices written with format_html instead of a template per option:
    Django's own markup (the same attributes, the chosen option `selected`, every value and
    label escaped) at a small part of the cost. The reporting form's school list has an
    option per school of the LA's children, and rendering it cost more than the figures.

    Named Select because crispy-forms-gds gives a widget its GOV.UK classes (govuk-select,
    the error class) by the name of the widget's class."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _v, label in choices):
            return super().render(name, value, attrs, renderer)  # groups: Django's templates
        chosen = next((v for v in self.format_value(value) if any(str(c) == v for c, _l in choices)), None)
        selected = mark_safe(" selected")  # noqa: S308 - a constant
        options = format_html_join("", '\n  <option value="{}"{}>{}</option>', (
            (str(v), selected if str(v) == chosen else "", label) for v, label in choices))
        return format_html('<select name="{}"{}>{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)


class ReportingForm(GovForm):
    """The academic year and the filters of the reporting page (a GET form; every field
    a choice, so bad input is a GOV.UK error, never a 500)."""

    year = forms.ChoiceField(label="Academic year", widget=Select)
    school = forms.ChoiceField(label="School", required=False, widget=Select)
    year_group = forms.ChoiceField(label="Year group", required=False, widget=Select)
    key_stage = forms.ChoiceField(label="Key stage", required=False, widget=Select)
    phase = forms.ChoiceField(label="Phase", required=False, widget=Select)
    area = forms.ChoiceField(label="In or out of area", required=False, widget=Select,
                             choices=[("", "Any"), ("in", "School in the LA's area"),
                                      ("out", "School out of area")])
    sen = forms.ChoiceField(label="SEN status", required=False, widget=Select)
    gender = forms.ChoiceField(label="Gender", required=False, widget=Select)
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False, widget=Select)
    cla12 = forms.ChoiceField(label="Looked after 12 months or more at 31 March", required=False, widget=Select,
                              choices=[("", "All children in care in the year"),
                                       ("yes", "Only those looked after 12 months or more at 31 March")])

    def __init__(self, *args, today: dt.date, choices: dict[str, list[tuple[str, str]]], **kwargs):
        from children.models import YEAR_GROUP_CHOICES, Child, Phase
        from education.models import SenStatus

        from .reporting import KEY_STAGES

        super().__init__(*args, **kwargs)
        current = academic_year_start(today)
        years = [current - i for i in range(6)]
        choice_field(self, "year").choices = [(str(y), academic_year_label(y)) for y in years]
        self.fields["year"].error_messages["invalid_choice"] = "Select one of the last six academic years"
        anyone = [("", "Any")]
        choice_field(self, "school").choices = anyone + choices.get("school", [])
        choice_field(self, "year_group").choices = anyone + [(str(k), v) for k, v in YEAR_GROUP_CHOICES]
        choice_field(self, "key_stage").choices = anyone + list(KEY_STAGES.items())
        choice_field(self, "phase").choices = anyone + list(Phase.choices)
        choice_field(self, "sen").choices = anyone + list(SenStatus.Status.choices)
        choice_field(self, "gender").choices = anyone + list(Child.Gender.choices)
        choice_field(self, "ethnicity").choices = anyone + choices.get("ethnicity", [])
        for name, f in self.fields.items():
            if name != "year":
                f.error_messages["invalid_choice"] = f"Select a {lower_first(str(f.label))} in the list"
        self.helper.layout = Layout(*[Field.select(name) for name in self.fields])

    def start_year(self) -> int:
        return int(self.cleaned_data["year"])

    def filters(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if k != "year" and v}
