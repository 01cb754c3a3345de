"""Form pieces every app shares."""

from django import forms

# The longest free text one box holds: a full page of notes. Services check it too.
MAX_TEXT = 5000
TOO_LONG = "Keep this to %(limit_value)d characters or fewer (it has %(show_value)d)."


def long_text_field(
    label: str, *, help_text: str = "", rows: int = 4, required: bool = False
) -> forms.CharField:
    """A labelled text box that refuses more than ``MAX_TEXT`` characters, saying how many."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": TOO_LONG},
    )
