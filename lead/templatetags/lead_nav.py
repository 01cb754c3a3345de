from django import template

from participants.identity import is_llme

register = template.Library()
# Whether the menu offers "My groups": answered with the signed-in person from the cache.
register.simple_tag(is_llme, name="is_llme")
