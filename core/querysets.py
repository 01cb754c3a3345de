"""The queryset every hub-owned model shares."""

from django.db import models

from core import scoping


class HubOwnedQuerySet(models.QuerySet):
    """Rows of a model with a ``hub_path``; ``visible_to`` keeps those the user may manage."""

    def visible_to(self, user):
        return scoping.visible(self, user)
