"""The one limit on free text, for forms and services alike, and reading ids people send.

A form shows the limit next to the box (``long_text_field``); a service refuses text over it
(``check_lengths``), so the rule holds however the text arrives: a page, the admin, a task.
Ids read from a request without a form field (``parse_id``) are plain numbers or nothing.
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
    """Raise ``error`` with a reason for each text over ``MAX_TEXT``, or holding a null
    character (which PostgreSQL cannot store), keyed by its name."""
    reasons = []
    for name, text in texts.items():
        label = name.replace("_", " ").capitalize()
        if len(text or "") > MAX_TEXT:
            message = TOO_LONG % {"limit_value": MAX_TEXT, "show_value": len(text)}
            reasons.append(Reason(message, field=name, label=label))
        elif "\x00" in (text or ""):
            message = "It holds a character that cannot be saved (a null character)."
            reasons.append(Reason(message, field=name, label=label))
    if reasons:
        raise error(reasons)


# Ids and numbers typed into forms and addresses ------------------------------------------
# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is written with the digits 0 to 9 and nothing else.

    ``str.isdigit()`` also says yes to "²" and "①", which ``int()`` refuses, and ``int()``
    reads other scripts' digits ("٣") as numbers nobody typed on purpose.
    """
    return text.isascii() and text.isdecimal()


def parse_id(value: object) -> int | None:
    """The id ``value`` names when it is a plain number a database column can hold, else
    ``None``: for ids that come from a form or an address without a form field's checks."""
    text = str(value if value is not None else "").strip()
    if not is_plain_number(text) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
