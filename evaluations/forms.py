"""The lead's end-of-year evaluation form: a rating and evidence per targeted outcome area."""

from django import forms

from core.text import long_text_field
from evaluations.models import IMPACT_DESCRIPTORS, ImpactRating

OFF_SCALE = "Choose a rating on the scale, from 1 to 4."


class RatingRadioSelect(forms.RadioSelect):
    """Radios whose group "label" is the first radio, so an error summary can link to it."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


RATING_CHOICES = [
    (rating.value, f"{rating.value}. {rating.label}: {IMPACT_DESCRIPTORS[rating]}")
    for rating in ImpactRating
]


class EvaluationForm(forms.Form):
    """Everything is optional while drafting; ``submit_evaluation`` says what is still missing."""

    key_findings = long_text_field(
        "Key findings", help_text="What the group found, in a few sentences."
    )
    recommendations = long_text_field("Recommendations for the national project")

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for area in self.areas:
            self.fields[f"rating_{area.code}"] = forms.TypedChoiceField(
                label=f"Impact on {area.name.lower()}",
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=RatingRadioSelect,
                error_messages={"invalid_choice": OFF_SCALE},
            )
            self.fields[f"evidence_{area.code}"] = long_text_field(
                f"Evidence of impact on {area.name.lower()}", rows=3
            )

    def area_fields(self):
        return [
            (area, self[f"rating_{area.code}"], self[f"evidence_{area.code}"])
            for area in self.areas
        ]

    def ratings(self) -> dict[str, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            area.code: (data[f"rating_{area.code}"], data[f"evidence_{area.code}"])
            for area in self.areas
        }

    @staticmethod
    def initial_for(evaluation, outcomes) -> dict:
        if evaluation is None:
            return {}
        initial = {
            "key_findings": evaluation.key_findings,
            "recommendations": evaluation.recommendations,
        }
        for outcome in outcomes:
            initial[f"rating_{outcome.area.code}"] = outcome.rating
            initial[f"evidence_{outcome.area.code}"] = outcome.evidence
        return initial
