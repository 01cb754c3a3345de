"""Who may see and manage which hub's data: the one place these rules live.

Every hub-owned model names its way to the hub once, as ``hub_path`` (a place's is
``"work_group__hub"``). The national team (superusers or ``is_national_team``) sees every
hub. Hub staff (a ``HubMembership``) see only their own hubs. Everyone else manages no hub.
Views, the admin, tasks and commands all ask here. It imports no app: it reads the
user's ``is_national_team`` flag and ``hub_memberships`` by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User
    from django.db.models import QuerySet

_CACHE_ATTR = "_staff_hub_ids"


def is_national(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.is_national_team)
    )


def staff_hub_ids(user: User) -> frozenset[int]:
    """The hubs whose staff this user is on (cached on the user for the request)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(user.hub_memberships.values_list("hub_id", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_staff_hub_ids(user: User, hub_ids) -> None:
    """Record the user's staff hubs, read elsewhere (``participants.identity`` keeps them with
    the signed-in person in the cache), so ``staff_hub_ids`` need not ask the database."""
    setattr(user, _CACHE_ATTR, frozenset(hub_ids))


def is_hub_staff(user: User) -> bool:
    return bool(staff_hub_ids(user))


def can_manage_hub(user: User, hub_id: int | None) -> bool:
    """May this user manage data belonging to the hub with this id?"""
    if is_national(user):
        return True
    return hub_id is not None and hub_id in staff_hub_ids(user)


def can_use_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff) and (
        is_national(user) or is_hub_staff(user)
    )


def hub_path_of(model) -> str | None:
    """How a hub-owned model reaches its hub (its ``hub_path``), or ``None`` if it has none."""
    return getattr(model, "hub_path", None)


def visible(queryset: QuerySet, user: User) -> QuerySet:
    """Rows of a hub-owned model the user may manage; other models are left as they are.

    People belong to no single hub, so their queryset says who is connected to a set of hubs
    (``connected_to_hubs``), and hub staff see those people only.
    """
    path = hub_path_of(queryset.model)
    if path is not None:
        return scope_to_hubs(queryset, user, path)
    connected = getattr(queryset, "connected_to_hubs", None)
    if connected is None or is_national(user):
        return queryset
    return connected(staff_hub_ids(user))


def scope_to_hubs(queryset: QuerySet, user: User, hub_path: str) -> QuerySet:
    """Limit ``queryset`` to rows whose hub (reached by ``hub_path``) the user may manage."""
    if is_national(user):
        return queryset
    hub_ids = staff_hub_ids(user)
    if not hub_ids:
        return queryset.none()
    return queryset.filter(**{f"{hub_path}__in": hub_ids})
