"""Rules about participants themselves (hub scoping lives in ``core.scoping``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.scoping import is_national

if TYPE_CHECKING:
    from participants.models import User


def must_complete_profile(user: User) -> bool:
    """Participants complete their profile before registering; staff are not held up by it."""
    if not user.is_authenticated or user.has_profile:
        return False
    return not (user.is_staff or is_national(user))
