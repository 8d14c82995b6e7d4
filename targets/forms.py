"""GOV.UK forms for targets, their review, and PP+. They check the shape of the answers;
the SMART rules and PP+ rules are the services' (targets.services)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from core.forms import GovDateField, GovForm, choice_field
from meetings.forms import style_dates
from peps.models import Pep

from .models import Area, Category, Outcome
from .services import NOT_MEASURABLE, Decision, by_when_errors, is_measurable


def money_field(label: str, *, required: bool = True, help_text: str = "", example: str = "450") -> forms.DecimalField:
    message = f"Enter the amount in pounds, like {example} or {example}.50"
    return forms.DecimalField(
        label=label, required=required, help_text=help_text, max_digits=9, decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10",
                                      "spellcheck": "false"}),
        error_messages={"required": f"Enter the amount in pounds, like {example}", "invalid": message,
                        "max_decimal_places": message, "max_digits": "Enter an amount less than £10,000,000",
                        "max_whole_digits": "Enter an amount less than £10,000,000",
                        "min_value": "The amount must be £0 or more"},
    )


def _text(label: str, *, required: bool = True, rows: int = 3, message: str = "", help_text: str = ""):
    return forms.CharField(label=label, required=required, max_length=5000, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": message or f"Enter {label.lower()}"})


class TargetForm(GovForm):
    area = forms.ChoiceField(label="Area", choices=Area.choices, widget=forms.RadioSelect,
                             help_text="Every PEP of school age needs at least one academic target: English, maths "
                                       "and science come first",
                             error_messages={"required": "Select the area of the target"})
    what = _text("The target", message="Enter the target",
                 help_text="Specific: what the child or young person will be able to do")
    baseline = _text("Where they are now", required=False, help_text="The starting point, such as a test score")
    success_criteria = _text("Success criteria", message="Enter the success criteria: how everyone will know the "
                                                         "target has been met",
                             help_text="Measurable: for example ‘reads 90 words a minute’ or ‘attendance of 96% "
                                       "or more’")
    strategy_what = _text("What will be done", message="Enter what will be done to meet the target",
                          help_text="The strategies, resources and where they happen")
    strategy_who = forms.CharField(label="Who will do it", required=False, max_length=200,
                                   help_text="For example, the English teacher and the carer")
    strategy_how_often = forms.CharField(label="How often", required=False, max_length=200,
                                         help_text="For example, three 20-minute sessions a week")
    responsible = forms.CharField(label="Who is responsible for the target", required=False, max_length=200,
                                  help_text="A name and role")
    by_when = GovDateField(label="Date the target should be met by", help_text="For example, 31/3/2027",
                           error_messages={"required": "Enter the date the target should be met by"})
    pp_plus_requested = money_field("Pupil Premium Plus cost (optional)", required=False,
                                    help_text="In pounds. Ask for the money with a PP+ request once the target "
                                              "is saved.")

    answers_ask = forms.ChoiceField(
        label="Does this target answer something the young person asked for?", required=False,
        widget=forms.RadioSelect,
        help_text="Their “My PEP” page shows it as “You said … – we will …”",
        error_messages={"invalid_choice": "Select something the young person asked for in section C, or ‘No’"},
    )

    def __init__(self, *args, asks: Sequence[tuple[str, str, str]] = (), pep: Pep | None = None, **kwargs):
        """`asks`: what the young person asked for in section C (peps.young_person.asks_of);
        `pep`: the PEP, for the date rule (reported with the other errors)."""
        super().__init__(*args, **kwargs)
        self.pep = pep
        choice_field(self, "answers_ask").choices = [
            ("", "No"), *[(key, f"{label}: “{text}”") for key, label, text in asks]]
        self.helper.layout = Layout(
            Field.radios("area", legend_size=Size.MEDIUM),
            "what", "baseline", "success_criteria",
            Fieldset("strategy_what", "strategy_who", "strategy_how_often", legend="Strategies",
                     legend_size=Size.MEDIUM),
            "responsible", "by_when", "pp_plus_requested",
            *([Field.radios("answers_ask", legend_size=Size.SMALL)] if asks else []),
        )
        if not asks:
            # Nothing asked for yet in section C: nothing to link the target to.
            self.fields.pop("answers_ask")
        style_dates(self)

    def clean_success_criteria(self):
        # The same rule as the service's, checked here too so that every problem shows at once.
        criteria = self.cleaned_data["success_criteria"].strip()
        if not is_measurable(criteria):
            raise forms.ValidationError(NOT_MEASURABLE)
        return criteria

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("responsible") or "").strip() and "responsible" not in self.errors:
            self.add_error("responsible", "Enter who is responsible for the target")
        if self.pep is not None and cleaned.get("by_when"):
            for name, message in by_when_errors(self.pep, cleaned["by_when"]).items():
                self.add_error(name, message)
        return cleaned


class ReviewForm(GovForm):
    outcome = forms.ChoiceField(label="Was the target achieved?", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select whether the target was achieved"})
    comment = _text("Comment", message="Enter a comment on the progress made towards the target",
                    help_text="The progress made and the evidence for it")
    new_by_when = GovDateField(label="New date for the carried-forward target", required=False,
                               help_text="Only when it is carried forward. For example, 31/3/2027")

    def __init__(self, *args, pep: Pep | None = None, carried: bool = False, **kwargs):
        """`pep`: the PEP reviewing the target, for the date rule; `carried`: the target has
        been carried forward already (its copy keeps its date)."""
        super().__init__(*args, **kwargs)
        self.pep, self.carried = pep, carried
        self.helper.layout = Layout(Field.radios("outcome", legend_size=Size.MEDIUM), "comment", "new_by_when")
        style_dates(self)

    def clean(self):
        # The service's date rules for a carried-forward target, with the other errors at once.
        cleaned = super().clean()
        if self.pep is None or cleaned.get("outcome") != Outcome.CARRIED_FORWARD or self.carried:
            return cleaned
        new_by_when = cleaned.get("new_by_when")
        if new_by_when is None:
            if "new_by_when" not in self.errors:
                self.add_error("new_by_when", "Enter the new date the target should be met by")
        else:
            for name, message in by_when_errors(self.pep, new_by_when, field="new_by_when").items():
                self.add_error(name, message)
        return cleaned


class PpPlusRequestForm(GovForm):
    target: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Which target is it for?", queryset=None, required=False, empty_label="Not for one target",
        error_messages={"invalid_choice": "Select one of this PEP's targets"})
    amount = money_field("Amount requested")
    what_it_buys = _text("What will the money buy?", message="Enter what the money will buy",
                         help_text="For example, 10 one-to-one maths tuition sessions with a qualified tutor")
    category = forms.ChoiceField(label="Kind of intervention", choices=[("", "Select a kind"), *Category.choices],
                                 error_messages={"required": "Select the kind of intervention"})
    over_allocation_reason = forms.CharField(
        label="Why should this request go past the allocation?", required=False, max_length=2000,
        help_text="Only when the request would take the child's year past its Pupil Premium Plus allocation",
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda t: f"{t.get_area_display()}: {t.what[:80]}"


class DecisionForm(GovForm):
    decision = forms.ChoiceField(label="Your decision", choices=Decision.CHOICES, widget=forms.RadioSelect,
                                 error_messages={"required": "Select your decision"})
    approved_amount = money_field("Amount approved", required=False, example="300",
                                  help_text="Only when you approve part of it")
    reason = _text("Reason", required=False,
                   help_text="Needed when you approve only part of the amount or decline it. The school sees it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("decision", legend_size=Size.MEDIUM), "approved_amount", "reason")


class AllocationForm(GovForm):
    financial_year = forms.CharField(label="Financial year", max_length=7, help_text="April to March, like 2026-27",
                                     error_messages={"required": "Enter a financial year like 2026-27"})
    amount_per_child = money_field("Allocation per child", example="2570")


class ExportForm(GovForm):
    financial_year = forms.ChoiceField(label="Financial year", choices=[],
                                       error_messages={"required": "Select a financial year",
                                                       "invalid_choice": "Select a financial year"})

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "financial_year").choices = [(y, y) for y in years]
