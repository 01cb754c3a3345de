"""A JSON model field whose form takes only what PostgreSQL can store.

Django's JSON form field hands an empty box to the model as ``None`` (the column is NOT NULL) and
accepts JSON that parses in Python but that PostgreSQL refuses: ``"\\u0000"``, a lone surrogate,
``NaN`` or ``1e999``, or nesting deep enough to exhaust Python's stack. ``CheckedJSONField``
treats an empty box (or ``null``) as the field's default (``[]``, ``{}``) and refuses the rest
next to the field, in words; the model's own validators say what shape the value must have.
"""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput

UNSTORABLE = (
    "This can't be stored: remove null characters (\\u0000), unpaired surrogates (\\ud800) "
    "and NaN or Infinity."
)
TOO_DEEP = "This is nested too deeply to store."


def _storable_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _storable(value) -> bool:
    """Whether PostgreSQL's ``jsonb`` takes every string and number in ``value``."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if not all(_storable_text(key) for key in item):
                return False
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if not _storable_text(item):
                return False
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


class JSONFormField(forms.JSONField):
    """``forms.JSONField`` with an empty box meaning ``empty()`` and unstorable JSON refused."""

    def __init__(self, *, empty=None, **kwargs):
        self.empty = empty or (lambda: None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.disabled:
            return value
        if isinstance(value, str) and not value.strip():
            return self.empty()
        try:
            value = super().to_python(value)
        except RecursionError:
            raise ValidationError(TOO_DEEP, code="too_deep") from None
        if value is None:
            return self.empty()
        if not _storable(value):
            raise ValidationError(UNSTORABLE, code="unstorable")
        return value

    def bound_data(self, data, initial):
        """What the form shows again: the text as typed when it cannot be shown as JSON (an
        unpaired surrogate cannot even be sent to the browser)."""
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        if not isinstance(value, InvalidJSONInput) and not _storable(value):
            return InvalidJSONInput(data)
        return value


class CheckedJSONField(models.JSONField):
    """A ``JSONField`` whose form field is ``JSONFormField``, empty meaning the default."""

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": JSONFormField, "empty": self.get_default, **kwargs}
        )
