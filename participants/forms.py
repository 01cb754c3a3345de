"""Participants' forms: the profile, and allauth's forms in the site's own words."""

from allauth.account.forms import (
    ChangePasswordForm,
    LoginForm,
    ResetPasswordKeyForm,
    SignupForm,
)
from django import forms

from participants.models import Phase, School, UserRole
from participants.services import NAME_MAX_LENGTH, SCHOOL_QUERY_MAX_LENGTH

FIND_SCHOOL_BUTTON = "find_school"


class LinkableRadioSelect(forms.RadioSelect):
    """Radios whose field id is the first option's, so the error summary can link to them."""

    def id_for_label(self, id_, index=None):
        return f"{id_}_0" if index is None and id_ else super().id_for_label(id_, index)


class LinkableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_, index=None):
        return f"{id_}_0" if index is None and id_ else super().id_for_label(id_, index)


class SchoolRadioSelect(forms.RadioSelect):
    """Radios for the schools found so far; errors link to the search box, which always exists."""

    def id_for_label(self, id_, index=None):
        return f"{id_}_query" if index is None and id_ else super().id_for_label(id_, index)


def school_label(school: School) -> str:
    place = ", ".join(part for part in (school.town, school.postcode) if part)
    return (
        f"{school.name}, {place} (URN {school.urn})" if place else f"{school.name} ({school.urn})"
    )


def _name_field(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": f"Enter your {label.lower()}.",
            "max_length": f"Your {label.lower()} must be {NAME_MAX_LENGTH} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class ProfileForm(forms.Form):
    """Only the schools found by the search are offered; any open school's id is accepted."""

    first_name = _name_field("First name", "given-name")
    last_name = _name_field("Last name", "family-name")
    role = forms.ChoiceField(
        label="Your role",
        choices=UserRole.choices,
        widget=LinkableRadioSelect,
        help_text="Your school's Maths Hub confirms school leaders before they can name "
        "colleagues or see who fills your school's places.",
        error_messages={
            "required": "Choose your role.",
            "invalid_choice": "Choose your role from the list.",
        },
    )
    phases = forms.ModelMultipleChoiceField(
        label="Phases you teach or support",
        queryset=Phase.objects.all(),
        required=False,
        widget=LinkableCheckboxSelectMultiple,
        help_text="Choose all that apply.",
        error_messages={
            "invalid_choice": "Choose phases from the list.",
            "invalid_pk_value": "Choose phases from the list.",
        },
    )
    school_query = forms.CharField(
        label="Find your school",
        required=False,
        max_length=SCHOOL_QUERY_MAX_LENGTH,
        help_text="Type part of its name, its town, its postcode or its URN.",
        error_messages={
            "max_length": f"Type at most {SCHOOL_QUERY_MAX_LENGTH} characters to find your school."
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    school = forms.ModelChoiceField(
        label="Your school",
        queryset=School.objects.open(),
        widget=SchoolRadioSelect,
        empty_label=None,
        error_messages={
            "required": "Find your school and choose it from the list.",
            "invalid_choice": "Choose an open school from the list.",
        },
    )

    reminder_emails = forms.BooleanField(
        label="Email me reminders",
        required=False,
        help_text="Reminders of your sessions, tasks waiting and records to write. Emails about "
        "your places, your account and cancelled groups are always sent.",
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].widget.choices = [(s.pk, school_label(s)) for s in schools]
        self.school_choices = self.fields["school"].widget.choices


# allauth's forms with the site's wording (UK English, sentence case).
class SignInForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"


class CreateAccountForm(SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "Choose a password"
        if "password2" in self.fields:
            self.fields["password2"].label = "Type the password again"


class NewPasswordForm(ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = "Current password"
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "Type the new password again"


class ResetPasswordFromLinkForm(ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "New password"
        self.fields["password2"].label = "Type the new password again"
