"""``{% came_from as url %}``: the page that led here, if it is one of ours (error pages)."""

from django import template

from core import errorpages

register = template.Library()


@register.simple_tag(takes_context=True)
def came_from(context) -> str:
    request = context.get("request")
    return (errorpages.came_from(request) if request is not None else None) or ""
