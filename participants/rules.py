"""Rules about participants themselves (hub scoping lives in ``core.scoping``).

Saying you lead a school is a claim (``SchoolLeaderClaim``). Only a confirmed claim lets
someone act for their school: name colleagues, see its places. Every page and service that
asks "is this a school leader?" asks ``is_verified_leader`` and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.scoping import can_manage_hub, is_national
from participants.models import ClaimStatus, SchoolLeaderClaim, UserRole

if TYPE_CHECKING:
    from participants.models import School, User


def must_complete_profile(user: User) -> bool:
    """Participants complete their profile before registering; staff are not held up by it."""
    if not user.is_authenticated or user.has_profile:
        return False
    return not (user.is_staff or is_national(user))


def is_verified_leader(user: User, school: School | None = None) -> bool:
    """Is ``user`` a confirmed leader of their school (of ``school``, when given)?"""
    if not (user.is_authenticated and user.is_active and user.school_id):
        return False
    if user.role != UserRole.SCHOOL_LEADER:
        return False
    if school is not None and school.pk != user.school_id:
        return False
    return SchoolLeaderClaim.objects.filter(
        user=user, school_id=user.school_id, status=ClaimStatus.CONFIRMED
    ).exists()


def confirmed_leaders(school: School) -> list[User]:
    """The school's confirmed leaders, who may name colleagues for its places (one query)."""
    claims = (
        SchoolLeaderClaim.objects.filter(
            school=school,
            status=ClaimStatus.CONFIRMED,
            user__school=school,
            user__role=UserRole.SCHOOL_LEADER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return [claim.user for claim in claims]


def current_leader_claim(user: User) -> SchoolLeaderClaim | None:
    """The claim the profile makes now (for the user's school), whatever was decided."""
    if not (user.is_authenticated and user.school_id and user.role == UserRole.SCHOOL_LEADER):
        return None
    return (
        SchoolLeaderClaim.objects.filter(user=user, school_id=user.school_id)
        .exclude(status=ClaimStatus.WITHDRAWN)
        .select_related("school__hub", "decided_by")
        .first()
    )


def may_decide_leader_claim(user: User, claim: SchoolLeaderClaim) -> bool:
    """The school's hub (its staff, or the national team) or a confirmed leader of the school,
    never the claimant."""
    if claim.user_id == user.pk:
        return False
    if can_manage_hub(user, claim.school.hub_id):
        return True
    return is_verified_leader(user, claim.school)
