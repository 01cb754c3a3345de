"""Forms for finding projects and registering interest."""

from django import forms

from catalogue.years import find_year, open_years, year_slug
from core.cache import get_or_build
from participants.models import Hub, Phase, Region
from projects.models import ActivityType, Interest
from workgroups.cache import REFERENCE
from workgroups.models import DeliveryMode

# The filters' names, in the order of the form and of the addresses it makes.
FILTERS = ("q", "year", "phase", "activity_type", "mode", "region", "hub", "open")


def _place_choices() -> dict[str, list[tuple[int, str, str]]]:
    return {
        "phase": list(Phase.objects.values_list("pk", "code", "name")),
        "region": list(Region.objects.values_list("pk", "code", "name")),
        "hub": list(Hub.objects.values_list("pk", "slug", "name")),
    }


def place_choices() -> dict[str, list[tuple[int, str, str]]]:
    """Phases, regions and hubs to filter by, as ``(pk, value, name)``, from the cache."""
    return get_or_build("catalogue-choices", _place_choices, REFERENCE)


class ProjectFilterForm(forms.Form):
    """The catalogue's filters; invalid values are ignored rather than shown as errors.

    Phases, regions and hubs come from the cache, so neither showing nor checking the form
    asks the database anything.
    """

    q = forms.CharField(label="Search", max_length=100, required=False)
    year = forms.ChoiceField(label="Year", required=False)
    phase = forms.ChoiceField(label="Phase", required=False)
    activity_type = forms.ChoiceField(
        label="Type of activity",
        choices=[("", "Any type"), *ActivityType.choices],
        required=False,
    )
    mode = forms.ChoiceField(
        label="Delivery", choices=[("", "Any delivery"), *DeliveryMode.choices], required=False
    )
    region = forms.ChoiceField(label="Region", required=False)
    hub = forms.ChoiceField(label="Hub", required=False)
    open = forms.ChoiceField(
        label="Registration",
        choices=[("", "Open or not"), ("yes", "Taking registrations now")],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rows = place_choices()
        self.years = open_years()
        self.fields["year"].choices = [("", "All years open")] + [
            (year_slug(year), year.label) for year in self.years
        ]
        named = find_year(self.data.get("year"), self.years) if self.is_bound else None
        if named is not None:  # ``2027/28`` or a primary key: the same as ``2027-28``
            self.data = self.data.copy()
            self.data["year"] = year_slug(named)
        for name, empty in (("phase", "Any phase"), ("region", "Any region"), ("hub", "Any hub")):
            self.fields[name].choices = [("", empty)] + [
                (value, label) for _pk, value, label in self._rows[name]
            ]

    def chosen(self) -> dict[str, str]:
        """The values that passed validation, as sent; a bad value just drops that one filter."""
        self.is_valid()
        return {name: self.cleaned_data[name] for name in FILTERS if self.cleaned_data.get(name)}

    def filters(self) -> dict:
        """``chosen``, with a year as its ``AcademicYear`` and a phase, region or hub as its
        primary key."""
        chosen = self.chosen()
        if "year" in chosen:
            chosen["year"] = find_year(chosen["year"], self.years)
        for name in ("phase", "region", "hub"):
            if name in chosen:
                chosen[name] = next(
                    pk for pk, value, _ in self._rows[name] if value == chosen[name]
                )
        return chosen


class InterestForm(forms.ModelForm):
    class Meta:
        model = Interest
        fields = ["note"]
        labels = {"note": "Anything the hub should know (optional)"}
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}
