from django import template

from lead import nav

register = template.Library()
register.simple_tag(nav.is_llme, name="is_llme")
