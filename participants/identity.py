"""Who is signed in, answered from the cache: every signed-in request needs the person, the hubs
whose staff they are on (``core.scoping``) and whether they are an LLME (the menu's "My groups").

They are read together, in the one round trip to the cache that the session already pays for,
under the scope ``person:<id>``, with whether they have an authenticator (``participants.mfa``).
Any save or deletion of the person, of one of their hub memberships, LLME rows or
authenticators bumps that scope (through the model signals, so the
admin, the services, the shell and erasure all do), and the next request reads them afresh: a
person taken off a hub's staff, deactivated or given a new password is treated as such on their
very next request.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import scoping
from core.cache import bump, get_or_build
from participants import mfa
from participants.models import LLME, HubMembership, User

IS_LLME_ATTR = "_is_llme"


def _scope(user_id) -> str:
    return f"person:{user_id}"


def _load(user_id) -> User | None:
    user = (
        User._default_manager.annotate(
            _llme=Exists(LLME.objects.filter(user=OuterRef("pk"))),
            _mfa=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type__in=mfa.SIGN_IN_TYPES)
            ),
        )
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        return None
    setattr(user, IS_LLME_ATTR, user._llme)
    setattr(user, mfa.HAS_AUTHENTICATOR_ATTR, user._mfa)
    del user._llme, user._mfa
    scoping.remember_staff_hub_ids(
        user, HubMembership.objects.filter(user_id=user.pk).values_list("hub_id", flat=True)
    )
    return user


def cached_user(user_id) -> User | None:
    """The person with this id as they are now (``None`` if there is none), with their hubs
    and LLME standing already known."""
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:  # a session holding nonsense signs nobody in
        return None
    return get_or_build("person", lambda: _load(user_id), _scope(user_id), parts=(user_id,))


def is_llme(user) -> bool:
    """Is ``user`` an LLME of any hub (so has the lead area)?"""
    if not user.is_authenticated:
        return False
    known = getattr(user, IS_LLME_ATTR, None)
    if known is None:
        person = cached_user(user.pk)
        known = bool(person is not None and getattr(person, IS_LLME_ATTR))
        setattr(user, IS_LLME_ATTR, known)
    return known


@receiver(post_save, sender=User, dispatch_uid="identity_user_saved")
@receiver(post_delete, sender=User, dispatch_uid="identity_user_deleted")
def _user_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump(_scope(instance.pk))


@receiver(post_save, sender=HubMembership, dispatch_uid="identity_membership_saved")
@receiver(post_delete, sender=HubMembership, dispatch_uid="identity_membership_deleted")
@receiver(post_save, sender=LLME, dispatch_uid="identity_llme_saved")
@receiver(post_delete, sender=LLME, dispatch_uid="identity_llme_deleted")
@receiver(post_save, sender=Authenticator, dispatch_uid="identity_authenticator_saved")
@receiver(post_delete, sender=Authenticator, dispatch_uid="identity_authenticator_deleted")
def _role_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump(_scope(instance.user_id))
