from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from core.forms import GovForm, GovModelForm, model_choice_field
from core.roles import LOGIN_ROLES, Role, role_choices

from .models import LegalDetails, LocalAuthority, School


class PersonForm(GovForm):
    full_name = forms.CharField(
        label="Full name", max_length=200,
        error_messages={"required": "Enter the person's full name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation to set a password is sent here.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="Role", choices=role_choices(LOGIN_ROLES), widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role from the list"},
    )
    school = forms.ModelChoiceField(
        label="School (designated teachers only)", queryset=School.objects.all(), required=False,
        error_messages={"invalid_choice": "Select a school from the list"},
    )
    local_authority = forms.ModelChoiceField(
        label="Local authority", queryset=LocalAuthority.objects.all(),
        error_messages={"required": "Select a local authority",
                        "invalid_choice": "Select a local authority from the list"},
    )

    def __init__(self, *args, fixed_la: LocalAuthority | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_la is not None:
            # An LA admin registers people only for their own authority.
            model_choice_field(self, "local_authority").queryset = LocalAuthority.objects.filter(pk=fixed_la.pk)
            self.fields["local_authority"].initial = fixed_la.pk
            self.fields["local_authority"].widget = forms.HiddenInput()


class BulkInviteForm(GovForm):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, full_name, role, school_urn (school_urn only for designated teachers).",
        error_messages={"required": "Select a CSV file"},
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        return f


# Long passphrases are welcome; a limit keeps hashing a typed password cheap.
PASSWORD_MAX_CHARS = 256


class SetPasswordForm(GovForm):
    password1 = forms.CharField(
        label="Create a password", strip=False, max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Avoid common words and your name.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password", strip=False, max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The passwords do not match")
        return data


class LoginRequestForm(GovForm):
    full_name = forms.CharField(label="Full name", max_length=200,
                                error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Work email address",
        error_messages={"required": "Enter your email address",
                        "invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    role = forms.ChoiceField(
        label="What is your role?", widget=forms.RadioSelect,
        choices=[c for c in role_choices(LOGIN_ROLES) if c[0] != Role.LA_ADMIN],
        error_messages={"required": "Select your role", "invalid_choice": "Select your role"},
    )
    local_authority = forms.ModelChoiceField(
        label="Which local authority's Virtual School do you work with?",
        queryset=LocalAuthority.objects.all(),
        error_messages={"required": "Select a local authority",
                        "invalid_choice": "Select a local authority from the list"},
    )
    school_urn = forms.RegexField(
        label="School URN (designated teachers)", regex=r"^\d{6,8}$", required=False, max_length=8,
        help_text="The school's unique reference number, 6 to 8 digits.",
        error_messages={"invalid": "Enter the URN as 6 to 8 digits"},
    )
    reason = forms.CharField(
        label="Why do you need a login?", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        error_messages={"required": "Tell us why you need a login"},
    )


class DeclineForm(GovForm):
    reason = forms.CharField(
        label="Reason for declining", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        error_messages={"required": "Enter the reason for declining"},
    )


class ApproveForm(GovForm):
    school = forms.ModelChoiceField(
        label="School (designated teachers only)", queryset=School.objects.all(), required=False,
    )


password_help = password_validators_help_text_html


class LegalDetailsForm(GovModelForm):
    privacy_notice_url = forms.URLField(
        label="The council's own privacy notice", required=False, assume_scheme="https", max_length=500,
        help_text="Optional. A link to the council's own privacy notice for children's services.",
        error_messages={"invalid": "Enter a web address in the correct format, like https://www.example.gov.uk/privacy"},
    )

    class Meta:
        model = LegalDetails
        fields = ["contact_email", "contact_phone", "dpo_name", "dpo_email", "postal_address",
                  "ico_registration", "privacy_notice_url"]
        help_texts = {
            "contact_email": "People write here to report an accessibility problem or ask about the service.",
            "contact_phone": "Optional. For example, 01234 567890.",
            "dpo_name": "The name or title of the council's data protection officer.",
            "postal_address": "Optional. Where people can write to ask for a copy of their information.",
            "ico_registration": "Optional. The council's registration number with the Information "
                                "Commissioner's Office, for example Z1234567.",
        }
        error_messages = {
            "contact_email": {"required": "Enter an email address for problems with the service",
                              "invalid": "Enter an email address in the correct format, like name@example.com"},
            "dpo_name": {"required": "Enter the name of the data protection officer"},
            "dpo_email": {"required": "Enter the data protection officer's email address",
                          "invalid": "Enter an email address in the correct format, like name@example.com"},
        }
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 4})}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


class CouncilSignInForm(GovForm):
    issuer_url = forms.URLField(
        label="Issuer URL", max_length=500, assume_scheme="https",
        help_text="From your provider's OpenID Connect settings. For Microsoft Entra ID it is "
                  "https://login.microsoftonline.com/, then your tenant ID, then /v2.0",
        error_messages={"required": "Enter the issuer URL",
                        "invalid": "Enter the issuer URL in the correct format, like https://login.example.gov.uk"},
    )
    client_id = forms.CharField(
        label="Client ID", max_length=255, help_text="Also called the application (client) ID.",
        error_messages={"required": "Enter the client ID"},
    )
    client_secret = forms.CharField(
        label="Client secret", max_length=500, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    domains = forms.CharField(
        label="Email domains", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="The domains of your staff's email addresses, one a line, like staffordshire.gov.uk. "
                  "Only people you have registered with an address in these domains can sign in this way.",
        error_messages={"required": "Enter at least one email domain, like staffordshire.gov.uk"},
    )
    provider_enforces_mfa = forms.BooleanField(
        label="Our provider always asks for a second factor (MFA)", required=False,
        help_text="Staff signing in with their council account are then not asked for a code "
                  "from the portal's authenticator app as well.",
    )

    def __init__(self, *args, secret_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["client_secret"]
        if secret_hint:
            field.help_text = (f"A secret ending in {secret_hint} is saved. "
                               "Leave this empty to keep it, or enter a new one to replace it.")
        else:
            field.help_text = "Shown once by your provider when you create it."

    def clean_issuer_url(self) -> str:
        url = self.cleaned_data["issuer_url"]
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in {h.strip("[]") for h in _LOOPBACK_HOSTS}:
            raise forms.ValidationError("The issuer URL must start with https://")
        if parts.query or parts.fragment:
            raise forms.ValidationError("Enter the issuer URL without anything after a ? or #")
        return url

    def clean_domains(self) -> list[str]:
        domains = [d.strip().lower().lstrip("@") for d in re.split(r"[\s,]+", self.cleaned_data["domains"])]
        domains = [d for d in domains if d]
        bad = [d for d in domains if not _DOMAIN.match(d)]
        if bad:
            raise forms.ValidationError(f"Enter email domains like staffordshire.gov.uk, not {bad[0]}")
        if not domains:
            raise forms.ValidationError("Enter at least one email domain, like staffordshire.gov.uk")
        return domains


class CouncilEmailForm(GovForm):
    email = forms.EmailField(
        label="Your work email address",
        help_text="We use it to find your council's sign-in page.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
