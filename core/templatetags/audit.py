"""Showing an audit-trail entry (``core.audit``) in the admin's History page."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

register = template.Library()

EMPTY = "—"


@register.filter
def audit_changes(entry) -> list[tuple[str, str, str]]:
    """Each change of ``entry`` as (what, before, after), in words: field names as the forms
    name them and choices by their labels. Related objects added or removed are listed on the
    side they were on (removed before, added after)."""
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    rows = []
    for name, change in sorted((entry.changes or {}).items()):
        field = _field(model, name)
        if field is not None and not hasattr(field, "verbose_name"):
            continue  # a reverse relation, which auditlog lists (empty) when an object is made
        label = capfirst(field.verbose_name) if field is not None else name
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = ", ".join(change.get("objects", []))
            added = change.get("operation") == "add"
            rows.append((label, EMPTY if added else objects, objects if added else EMPTY))
        elif isinstance(change, list) and len(change) == 2:
            before, after = (_shown(field, value) for value in change)
            if before != after:
                rows.append((label, before, after))
    return rows


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _shown(field, value) -> str:
    if value in (None, "", "None"):
        return EMPTY
    choices = getattr(field, "flatchoices", None) or []
    return str({str(key): label for key, label in choices}.get(str(value), value))
