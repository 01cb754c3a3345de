"""Whether the site's menu offers "My groups": asked on every page, so answered from the cache
and made stale whenever the person's LLME rows change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.cache import bump, get_or_build
from participants.models import LLME


def _scope(user_id) -> str:
    return f"llme-of:{user_id}"


def is_llme(user) -> bool:
    """Is ``user`` an LLME of any hub (so has the lead area)?"""
    if not user.is_authenticated:
        return False
    return get_or_build("is-llme", user.llme_roles.exists, _scope(user.pk), parts=(user.pk,))


@receiver(post_save, sender=LLME, dispatch_uid="lead_nav_llme_saved")
@receiver(post_delete, sender=LLME, dispatch_uid="lead_nav_llme_deleted")
def _llme_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump(_scope(instance.user_id))
