"""GOV.UK forms for PEP meetings. They check the shape of the answers; the business rules
(the meeting is in the future, the next meeting is next term, ...) are the services'."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms

from core.forms import GovDateField, GovForm
from core.roles import CHAIR_ROLES, SCHEDULER_ROLES, Role, role_choices

from .models import Invitee, Meeting

LONDON = ZoneInfo("Europe/London")

DURATION_CHOICES = [(30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"), (90, "1 hour 30 minutes"),
                    (120, "2 hours")]

# How the settings page words who chairs (core.roles.CHAIR_ROLES).
CHAIR_LABELS: dict[str, str] = {Role.DESIGNATED_TEACHER: "The designated teacher",
                                 Role.VIRTUAL_SCHOOL: "A Virtual School officer"}

OTHER_ROLE_CHOICES = [
    ("", "Select a role"),
    ("Parent", "Parent"),
    ("Independent reviewing officer (IRO)", "Independent reviewing officer (IRO)"),
    ("New school's designated teacher", "New school's designated teacher"),
    ("Post-16 personal adviser", "Post-16 personal adviser"),
    ("Other professional", "Other professional"),
]
OTHER_ROWS = 2

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def style_dates(form: forms.Form) -> None:
    """crispy-forms-gds gives a DateInput no GOV.UK class, so a single-box date is styled here."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.DateInput):
            field.widget.attrs["class"] = "govuk-input govuk-input--width-10"


class TimeOfDayField(forms.CharField):
    """A time typed as 10:00, 14:30 or 2pm (GOV.UK asks for times as text)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "off",
                                                           "spellcheck": "false"}))
        kwargs.setdefault("error_messages", {"required": "Enter the time of the meeting"})
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        match = _TIME.match(value or "")
        if not match:
            raise forms.ValidationError("Enter a real time, like 10:00 or 2:30pm")
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise forms.ValidationError("Enter a real time, like 10:00 or 2:30pm")
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23 or minute > 59:
            raise forms.ValidationError("Enter a real time, like 10:00 or 2:30pm")
        return dt.time(hour, minute)


class _WhenWhereMixin(forms.Form):
    date = GovDateField(label="Date", help_text="For example, 14/1/2027",
                        error_messages={"required": "Enter the date of the meeting"})
    time = TimeOfDayField(label="Start time", help_text="UK time, for example 10:00 or 2:30pm")
    duration_minutes = forms.TypedChoiceField(label="How long", choices=DURATION_CHOICES, coerce=int, initial=60,
                                              error_messages={"required": "Select how long the meeting is",
                                                              "invalid_choice": "Select how long the meeting is"})
    format = forms.ChoiceField(label="Where will the meeting be?", choices=Meeting.Format.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select where the meeting will be",
                                               "invalid_choice": "Select where the meeting will be"})
    location = forms.CharField(label="Place or link", required=False, max_length=500,
                               help_text="The room, the address, or the link to the online meeting")

    def starts_at(self) -> dt.datetime:
        """The start as an aware Europe/London time (GMT or BST, whichever applies on the day)."""
        return dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=LONDON)

    def clean(self):
        # Reported with the other errors, not on a second submit (the service checks it again).
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        now = dt.datetime.now(LONDON)
        # A day before today is wrong whatever the time (even one not given yet).
        if day is not None and (day < now.date() or (time is not None and self.starts_at() <= now)):
            self.add_error("date", "The date and time of the meeting must be in the future")
        return cleaned


class ScheduleForm(_WhenWhereMixin, GovForm):
    chair: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Who will chair the meeting?", queryset=None, empty_label=None,
        error_messages={"required": "Select who will chair the meeting",
                        "invalid_choice": "Select who will chair the meeting"})
    team = forms.MultipleChoiceField(label="Who from the team is invited?", required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     help_text="Each person gets an email with a calendar invitation")

    def __init__(self, *args, chair_queryset, team_people, default_chair=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chair_queryset
        if default_chair is not None:
            self.fields["chair"].initial = default_chair.pk
        self.fields["team"].choices = [(p.key, f"{p.user.full_name} ({p.role})") for p in team_people]
        self.fields["team"].initial = [p.key for p in team_people]
        others = []
        for n in range(1, OTHER_ROWS + 1):
            self.fields[f"other_{n}_name"] = forms.CharField(label="Name", required=False, max_length=200)
            self.fields[f"other_{n}_role"] = forms.ChoiceField(label="Role", required=False,
                                                               choices=OTHER_ROLE_CHOICES)
            self.fields[f"other_{n}_email"] = forms.EmailField(
                label="Email address (optional)", required=False,
                error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"})
            others.append(Fieldset(f"other_{n}_name", f"other_{n}_role", f"other_{n}_email",
                                   legend=f"Someone else to invite ({n})", legend_size=Size.SMALL))
        self.helper.layout = Layout(
            Fieldset("date", "time", "duration_minutes", legend="When", legend_size=Size.MEDIUM),
            Fieldset(Field.radios("format"), "location", legend="Where", legend_size=Size.MEDIUM),
            Fieldset("chair", Field.checkboxes("team"), legend="Who", legend_size=Size.MEDIUM),
            HTML('<p class="govuk-body">Invite people outside the team too, such as a parent, the '
                 'independent reviewing officer or a new school\'s designated teacher.</p>'),
            *others,
        )
        style_dates(self)

    def clean(self):
        cleaned = super().clean()
        for n in range(1, OTHER_ROWS + 1):
            name = (cleaned.get(f"other_{n}_name") or "").strip()
            if (cleaned.get(f"other_{n}_email") or cleaned.get(f"other_{n}_role")) and not name:
                self.add_error(f"other_{n}_name", "Enter the name of the person to invite")
            if name and not cleaned.get(f"other_{n}_role"):
                self.add_error(f"other_{n}_role", f"Select the role of {name}")
        return cleaned

    def others(self) -> list[dict]:
        return [{"name": self.cleaned_data[f"other_{n}_name"], "role": self.cleaned_data[f"other_{n}_role"],
                 "email": self.cleaned_data[f"other_{n}_email"]}
                for n in range(1, OTHER_ROWS + 1) if (self.cleaned_data.get(f"other_{n}_name") or "").strip()]

    def team_user_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("team") or []]


class RescheduleForm(_WhenWhereMixin, GovForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset("date", "time", "duration_minutes", legend="When", legend_size=Size.MEDIUM),
            Fieldset(Field.radios("format"), "location", legend="Where", legend_size=Size.MEDIUM),
        )
        style_dates(self)

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        local = meeting.starts_at.astimezone(LONDON)
        return {"date": local.date(), "time": local.strftime("%H:%M"), "duration_minutes": meeting.duration_minutes,
                "format": meeting.format, "location": meeting.location}


class CancelForm(GovForm):
    reason = forms.CharField(label="Why is the meeting cancelled?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="The team will see this in ePEP. It is not sent by email.",
                             error_messages={"required": "Enter why the meeting is cancelled"})


class RecordForm(GovForm):
    held_on = GovDateField(label="Date the meeting was held", help_text="For example, 5/11/2026",
                           error_messages={"required": "Enter the date the meeting was held"})
    child_participation = forms.ChoiceField(
        label="How did the child or young person take part?", choices=Meeting.Participation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the child or young person took part"})
    going_well = forms.CharField(label="What is going well", widget=forms.Textarea(attrs={"rows": 3}),
                                 max_length=5000, error_messages={"required": "Enter what is going well"})
    difficulties = forms.CharField(label="Difficulties and concerns", widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=5000,
                                   error_messages={"required": "Enter the difficulties and concerns, or ‘None’"})
    support_in_place = forms.CharField(label="Support in place", widget=forms.Textarea(attrs={"rows": 3}),
                                       max_length=5000, error_messages={"required": "Enter the support in place"})
    pp_plus_impact = forms.CharField(label="Impact of Pupil Premium Plus", required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text="What earlier PP+ funding has achieved. Leave blank for a first PEP.")
    next_meeting_on = GovDateField(label="Date of the next PEP meeting",
                                   help_text="Normally in the next school term",
                                   error_messages={"required": "Enter the date of the next PEP meeting"})

    def clean(self):
        # The date checks the service makes too, reported with the other errors at once.
        cleaned = super().clean()
        held_on, next_on = cleaned.get("held_on"), cleaned.get("next_meeting_on")
        if held_on is not None and held_on > dt.datetime.now(LONDON).date():
            self.add_error("held_on", "The date the meeting was held must be today or in the past")
        elif held_on is not None and next_on is not None and next_on <= held_on:
            self.add_error("next_meeting_on", "The next PEP meeting must be after this one")
        return cleaned

    def __init__(self, *args, invitees: list[Invitee], **kwargs):
        super().__init__(*args, **kwargs)
        self.invitees = invitees
        attendance_fields = []
        choices = [c for c in Invitee.Attendance.choices if c[0]]
        for invitee in invitees:
            name = f"attendance_{invitee.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{invitee.name} ({invitee.role})", choices=choices, widget=forms.RadioSelect,
                initial=invitee.attendance or None,
                error_messages={"required": f"Select whether {invitee.name} attended"})
            attendance_fields.append(Field.radios(name, inline=True, legend_size=Size.SMALL))
        self.helper.layout = Layout(
            "held_on",
            Fieldset(*attendance_fields, legend="Who attended", legend_size=Size.MEDIUM),
            Field.radios("child_participation", legend_size=Size.MEDIUM),
            Fieldset("going_well", "difficulties", "support_in_place", "pp_plus_impact",
                     legend="Discussion", legend_size=Size.MEDIUM),
            "next_meeting_on",
        )
        style_dates(self)

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        from django.utils import timezone

        held_on = meeting.held_on or min(timezone.localdate(), timezone.localtime(meeting.starts_at).date())
        return {"held_on": held_on, "child_participation": meeting.child_participation or None,
                "going_well": meeting.going_well, "difficulties": meeting.difficulties,
                "support_in_place": meeting.support_in_place, "pp_plus_impact": meeting.pp_plus_impact,
                "next_meeting_on": meeting.next_meeting_on}

    def attendance(self) -> dict[int, str]:
        return {i.pk: self.cleaned_data[f"attendance_{i.pk}"] for i in self.invitees}


class MeetingSettingsForm(GovForm):
    chair_role = forms.ChoiceField(label="Who chairs PEP meetings in your local authority?",
                                   choices=role_choices(CHAIR_ROLES, CHAIR_LABELS), widget=forms.RadioSelect,
                                   error_messages={"required": "Select who chairs PEP meetings"})
    scheduler_roles = forms.MultipleChoiceField(
        label="Who can arrange PEP meetings?", choices=role_choices(SCHEDULER_ROLES),
        widget=forms.CheckboxSelectMultiple,
        help_text="They schedule, move and cancel the meeting. Select all that apply.",
        error_messages={"required": "Select at least one role that can arrange PEP meetings"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("chair_role", legend_size=Size.MEDIUM),
                                    Field.checkboxes("scheduler_roles", legend_size=Size.MEDIUM))
