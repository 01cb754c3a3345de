"""Forms for registering, naming colleagues and recording between-session work."""

from django import forms
from django.core.validators import MaxLengthValidator

from core.text import MAX_TEXT
from projects.models import Project, Recruitment
from workgroups.models import GapTaskResponse


class RegistrationForm(forms.Form):
    """Register yourself for a group in one of its project's roles."""

    role = forms.ModelChoiceField(queryset=None, label="Your role", empty_label=None)
    invitation_code = forms.CharField(label="Invitation code", max_length=32, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = project.roles.all()
        self.fields["role"].label_from_instance = lambda role: (
            f"{role.name} (up to {role.max_per_school} per school)"
        )
        if project.recruitment == Recruitment.INVITATION_ONLY:
            self.fields["invitation_code"].required = True
            self.fields["invitation_code"].help_text = "Your hub gives this to invited schools."
        else:
            del self.fields["invitation_code"]


class NominationForm(RegistrationForm):
    """A school leader names a colleague, by email, for one of the project's roles."""

    email = forms.EmailField(label="Colleague's email address", max_length=254)

    field_order = ["email", "role", "invitation_code"]

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        self.fields["role"].label = "Their role"


class GapTaskResponseForm(forms.ModelForm):
    class Meta:
        model = GapTaskResponse
        fields = ["what_i_did", "reflection"]
        labels = {
            "what_i_did": "What you did in class",
            "reflection": "Your reflection (optional)",
        }
        help_texts = {
            "what_i_did": "What you tried with your class and how pupils responded.",
            "reflection": "What you noticed, and what you would change next time.",
        }
        widgets = {
            "what_i_did": forms.Textarea(attrs={"rows": 5}),
            "reflection": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].max_length = MAX_TEXT
            self.fields[name].widget.attrs["maxlength"] = MAX_TEXT
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
