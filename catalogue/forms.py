"""Forms for finding projects and registering interest."""

from django import forms

from participants.models import Hub, Phase, Region
from projects.models import ActivityType, Interest
from workgroups.models import DeliveryMode


class ProjectFilterForm(forms.Form):
    """The catalogue's filters; invalid values are ignored rather than shown as errors."""

    q = forms.CharField(label="Search", max_length=100, required=False)
    phase = forms.ModelChoiceField(
        Phase.objects.all(), to_field_name="code", required=False, empty_label="Any phase"
    )
    activity_type = forms.ChoiceField(
        label="Type of activity",
        choices=[("", "Any type"), *ActivityType.choices],
        required=False,
    )
    mode = forms.ChoiceField(
        label="Delivery", choices=[("", "Any delivery"), *DeliveryMode.choices], required=False
    )
    region = forms.ModelChoiceField(
        Region.objects.all(), to_field_name="code", required=False, empty_label="Any region"
    )
    hub = forms.ModelChoiceField(
        Hub.objects.all(), to_field_name="slug", required=False, empty_label="Any hub"
    )

    def filters(self) -> dict:
        """The values that passed validation; a bad value just drops that one filter."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class InterestForm(forms.ModelForm):
    class Meta:
        model = Interest
        fields = ["note"]
        labels = {"note": "Anything the hub should know (optional)"}
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}
