"""The one limit on free text, for forms and services alike.

A form shows the limit next to the box (``long_text_field``); a service refuses text over it
(``check_lengths``), so the rule holds however the text arrives: a page, the admin, a task.
"""

from django import forms

from core.errors import DomainError, Reason

# The longest free text one box holds: a full page of notes.
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


def check_lengths(error: type[DomainError] = DomainError, /, **texts: str) -> None:
    """Raise ``error`` with a reason for each text over ``MAX_TEXT``, keyed by its name."""
    reasons = [
        Reason(
            TOO_LONG % {"limit_value": MAX_TEXT, "show_value": len(text)},
            field=name,
            label=name.replace("_", " ").capitalize(),
        )
        for name, text in texts.items()
        if len(text or "") > MAX_TEXT
    ]
    if reasons:
        raise error(reasons)
