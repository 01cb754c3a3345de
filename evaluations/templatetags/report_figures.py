"""How a report's figures read: numbers with thousands separators, an en dash for no figure."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()
NO_FIGURE = "\N{EN DASH}"


@register.filter
def figure(value, unit: str = "") -> str:
    """``1,234``, ``82.1%`` (with ``unit`` "%"), or an en dash where there is no figure."""
    if value is None or value == "":
        return NO_FIGURE
    return f"{intcomma(value)}{unit}"


@register.filter
def change(value, unit: str = "") -> str:
    """A change since last year: ``+3``, ``-1.5 points`` (for a percentage), or an en dash."""
    if value is None:
        return NO_FIGURE
    sign = "+" if value > 0 else ""
    points = " points" if unit == "%" else ""
    return f"{sign}{intcomma(value)}{points}"
