"""Forms of the lead area: validation and layout only; the services hold the rules."""

import datetime

from django import forms
from django.forms import formsets
from django.utils import timezone

from core.text import TOO_LONG, long_text_field
from workgroups.models import (
    AttendanceStatus,
    Completion,
    DeliveryMode,
    MilestoneStatus,
    MilestoneTerm,
    SessionFocus,
)
from workgroups.services.delivery import EMAIL_MESSAGE_MAX, EMAIL_SUBJECT_MAX


class SessionForm(forms.Form):
    # Date and time boxes take (and must be given) ISO values, whatever the site's language
    # writes dates as: a box given "08/12/2026" shows empty, and saving it fails.
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label="End time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    mode = forms.ChoiceField(label="How it runs", choices=DeliveryMode.choices)
    venue = forms.CharField(
        required=False,
        max_length=300,
        help_text="For face-to-face and blended sessions: where it is.",
    )
    joining_link = forms.URLField(
        required=False,
        max_length=200,
        help_text="For online and blended sessions: the meeting link.",
    )
    focus = forms.ChoiceField(choices=SessionFocus.choices)
    planned = long_text_field("What is planned", rows=3)
    # Shown (as a checkbox) only once the service has said what the lead should know first.
    confirm = forms.BooleanField(
        required=False,
        label="Save the session anyway: I have read what is said above",
        widget=forms.HiddenInput,
    )

    def ask_to_confirm(self, warnings: list[str]) -> None:
        """Show the checkbox that saves the session despite ``warnings``, unticked."""
        self.warnings = warnings
        self.fields["confirm"].widget = forms.CheckboxInput()
        data = self.data.copy()
        data.pop(self.add_prefix("confirm"), None)
        self.data = data

    def clean(self):
        data = super().clean()
        if not {"date", "starts", "ends"} <= data.keys():
            return data
        data["starts_at"] = self._aware(data["date"], data["starts"])
        data["ends_at"] = self._aware(data["date"], data["ends"])
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", "The session must end after it starts.")
        return data

    @staticmethod
    def _aware(date: datetime.date, time: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(date, time))

    @classmethod
    def initial_for(cls, session) -> dict:
        starts = timezone.localtime(session.starts_at)
        return {
            "date": starts.date(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": timezone.localtime(session.ends_at).time().replace(second=0, microsecond=0),
            "mode": session.mode,
            "venue": session.venue,
            "joining_link": session.joining_link,
            "focus": session.focus,
            "planned": session.planned,
        }


class AttendanceForm(forms.Form):
    """One person's mark; the view gives each form its person's name as the legend."""

    registration = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=AttendanceStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose present, late, absent or apologies."},
    )


ROWS_NOT_ROSTER = (
    "The list of people sent does not match the group, so nothing was saved. Here is the "
    "group's list as it is now, with the marks you chose: check them and save again."
)


class BaseAttendanceFormSet(forms.BaseFormSet):
    """The marks of the people on ``roster`` (registration ids): one row each.

    The browser sends the rows with a count of them. A count that is not a number, or claims
    more rows than the roster has, or none, and rows that name nobody or someone twice, are
    refused as a whole; whether each person is on the roster is the service's to say.
    """

    def __init__(self, *args, roster=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = list(roster)
        # Never build more rows than there are people, whatever count was sent.
        self.max_num = self.absolute_max = len(self.roster)

    def rows_intact(self) -> bool:
        """Whether the rows sent each name one person, nobody twice (once validated)."""
        if not self.management_form.is_valid():
            return False
        if not 0 < self.management_form.cleaned_data[formsets.TOTAL_FORM_COUNT] <= self.max_num:
            return False
        sent = [form.cleaned_data.get("registration") for form in self.forms]
        return None not in sent and len(set(sent)) == len(sent)

    def clean(self):
        if not self.rows_intact():
            raise forms.ValidationError(ROWS_NOT_ROSTER, code="rows_not_roster")


AttendanceFormSet = forms.formset_factory(
    AttendanceForm, formset=BaseAttendanceFormSet, extra=0, validate_max=True
)


class SessionRecordForm(forms.Form):
    what_was_done = long_text_field("What was done in the session")
    observed = long_text_field("What was observed in lessons")
    refined = long_text_field("How lessons were refined")
    gap_task = long_text_field(
        "Task for teachers before the next session",
        help_text="Teachers see this and record what they did with it.",
    )

    def __init__(self, *args, areas=(), tasks=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        if not tasks:  # the activity type sets no between-session tasks
            del self.fields["gap_task"]
        for area in self.areas:
            self.fields[f"note_{area.code}"] = long_text_field(
                f"Notes on {area.name.lower()}", rows=3
            )

    def outcome_notes(self) -> dict[str, str]:
        return {area.code: self.cleaned_data[f"note_{area.code}"] for area in self.areas}

    def note_fields(self):
        return [self[f"note_{area.code}"] for area in self.areas]

    @staticmethod
    def initial_for(record) -> dict:
        if record is None:
            return {}
        initial = {
            "what_was_done": record.what_was_done,
            "observed": record.observed,
            "refined": record.refined,
            "gap_task": record.gap_task,
        }
        initial.update({f"note_{code}": text for code, text in record.outcome_notes.items()})
        return initial


class MilestoneForm(forms.Form):
    term = forms.ChoiceField(choices=MilestoneTerm.choices)
    description = forms.CharField(
        label="What the school will achieve",
        max_length=500,
        error_messages={"max_length": TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        label="Due by", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MilestoneProgressForm(forms.Form):
    status = forms.ChoiceField(choices=MilestoneStatus.choices)
    notes = long_text_field("Notes from the latest visit")


class GroupEmailForm(forms.Form):
    subject = forms.CharField(max_length=EMAIL_SUBJECT_MAX)
    message = forms.CharField(
        max_length=EMAIL_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Each participant gets their own copy; nobody sees another's address.",
    )


class CompletionOverrideForm(forms.Form):
    """A lead's override of one person's outcome; the view prefixes it with the person's row."""

    completion = forms.ChoiceField(
        label="Outcome",
        choices=Completion.choices,
        error_messages={"required": "Choose completed or did not complete."},
    )
    reason = long_text_field(
        "Why",
        rows=2,
        required=True,
        help_text="Say why attendance does not tell the whole story; it is kept with the outcome.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            "Say why you are changing what attendance said."
        )
