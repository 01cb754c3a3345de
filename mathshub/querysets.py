"""The queryset every hub-owned model shares."""

from django.db import models


class HubOwnedQuerySet(models.QuerySet):
    """Rows of a model with a ``hub_path``; ``visible_to`` keeps those the user may manage."""

    def visible_to(self, user):
        from participants import rules

        return rules.visible(self, user)
