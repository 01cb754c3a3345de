"""School leaders name colleagues for the roles in their school's place.

Colleagues who already have an account at the school are registered at once, through
``register``, so every registration rule still applies. Colleagues without an account are
invited by email; ``claim_nominations`` turns the invitation into a registration once they
sign up and verify that address.
"""

from __future__ import annotations

from django.db import transaction

from participants.models import User, UserRole
from projects.models import ParticipantRole
from workgroups import notifications
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    Nomination,
    Place,
    RegistrationStatus,
    WorkGroup,
)
from workgroups.services.registration import RegistrationError, register


def is_school_leader(user: User) -> bool:
    return bool(user.is_authenticated and user.role == UserRole.SCHOOL_LEADER and user.school_id)


@transaction.atomic
def nominate(
    *,
    leader: User,
    work_group: WorkGroup,
    email: str,
    role: ParticipantRole,
    invitation_code: str = "",
) -> Nomination:
    """Name a colleague for ``role`` in the leader's school's place in ``work_group``."""
    if not is_school_leader(leader):
        raise RegistrationError("Only a school leader can name colleagues for the school.")
    email = email.strip().lower()
    colleague = User.objects.filter(email__iexact=email).first()
    if colleague is not None:
        return _register_colleague(leader, colleague, work_group, role, invitation_code)
    place = _school_place(leader, work_group)
    _check_role_room(place, role)
    nomination = Nomination.objects.create(
        place=place,
        email=email,
        role=role,
        invitation_code=invitation_code.strip(),
        invited_by=leader,
    )
    notifications.nominated(nomination)
    return nomination


def _register_colleague(leader, colleague, work_group, role, invitation_code) -> Nomination:
    if colleague.school_id != leader.school_id:
        raise RegistrationError(
            f"{colleague.email} has an account that is not linked to {leader.school.name}. "
            "Ask them to add your school to their profile, then name them again."
        )
    registration = register(
        user=colleague, work_group=work_group, role=role, invitation_code=invitation_code
    )
    return Nomination.objects.create(
        place=registration.place,
        email=colleague.email,
        role=registration.role,
        invited_by=leader,
        registration=registration,
    )


def _school_place(leader: User, work_group: WorkGroup) -> Place:
    place = work_group.places.active().filter(school_id=leader.school_id).first()
    if place is None:
        raise RegistrationError(
            "Your school does not hold a place in this group yet. Register yourself, or name "
            "a colleague who already has an account at your school, to take the place first; "
            "then invite colleagues who have no account."
        )
    return place


def _check_role_room(place: Place, role: ParticipantRole) -> None:
    """Open invitations count against the role's limit, so claims cannot overfill it."""
    if role.project_id != place.work_group.project_id:
        raise RegistrationError("Choose one of the roles this project asks schools to send.")
    filled = place.registrations.filter(status=RegistrationStatus.ACTIVE, role=role).count()
    invited = place.nominations.filter(registration__isnull=True, role=role).count()
    if filled + invited >= role.max_per_school:
        raise RegistrationError(
            f"Your school's {role.name.lower()} places are all taken or promised "
            f"(up to {role.max_per_school} per school)."
        )


@transaction.atomic
def claim_nominations(*, user: User, email: str | None = None) -> list[Nomination]:
    """Register a newly verified user for every open invitation sent to ``email``.

    ``email`` is the address just verified (by default the user's own).
    A user with no school yet is taken to be at the nominating school: the leader vouched for
    them. Invitations that no longer fit (another school, the place gone, the role filled) stay
    open, so the school leader still sees them as missing.
    """
    claimed = []
    nominations = (
        Nomination.objects.select_for_update(of=("self",))
        .filter(email__iexact=email or user.email, registration__isnull=True)
        .select_related("place__work_group", "role")
    )
    for nomination in nominations:
        if _claim(user, nomination):
            claimed.append(nomination)
    return claimed


def _claim(user: User, nomination: Nomination) -> bool:
    place = nomination.place
    if user.school_id is None:
        user.school_id = place.school_id
        user.save(update_fields=["school"])
    if user.school_id != place.school_id or place.status not in ACTIVE_PLACE_STATUSES:
        return False
    try:
        with transaction.atomic():
            nomination.registration = register(
                user=user,
                work_group=place.work_group,
                role=nomination.role,
                invitation_code=nomination.invitation_code,
            )
    except RegistrationError:
        return False
    nomination.save(update_fields=["registration"])
    return True
