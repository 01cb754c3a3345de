"""Confirmed school leaders name colleagues for the roles in their school's place.

Naming only invites. The named person sees the invitation on their registrations page and is
registered, through ``register`` (so every registration rule still applies), only when they
accept it; they may decline it instead. Invitations go only to the school's own staff on the
site, or to an address with no account, which is emailed an invitation to sign up first.
A leader sends at most ``NOMINATIONS_PER_DAY`` invitations in any 24 hours.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from participants.models import ClaimStatus, User
from participants.rules import current_leader_claim, is_verified_leader
from projects.models import ParticipantRole
from workgroups import notifications
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    Nomination,
    NominationStatus,
    Place,
    Registration,
    RegistrationStatus,
    WorkGroup,
)
from workgroups.services.registration import RegistrationError, register

NOMINATIONS_PER_DAY = 20


def naming_refusal(user: User) -> str | None:
    """Why ``user`` cannot name colleagues, in words, or ``None`` when they can."""
    if is_verified_leader(user):
        return None
    claim = current_leader_claim(user)
    if claim is None:
        return "Only a confirmed school leader can name colleagues for the school."
    if claim.status == ClaimStatus.PENDING:
        return (
            "You can name colleagues once your school leader role is confirmed. It is "
            f"waiting for {claim.confirmer} to confirm it."
        )
    return (
        f"{claim.decider} did not confirm your school leader role, so you cannot name "
        "colleagues for the school."
    )


def sent_today(leader: User) -> int:
    since = timezone.now() - datetime.timedelta(days=1)
    return Nomination.objects.filter(invited_by=leader, created_at__gte=since).count()


@transaction.atomic
def nominate(
    *,
    leader: User,
    work_group: WorkGroup,
    email: str,
    role: ParticipantRole,
    invitation_code: str = "",
) -> Nomination:
    """Invite a colleague to fill ``role`` in the leader's school's place in ``work_group``."""
    refusal = naming_refusal(leader)
    if refusal:
        raise RegistrationError(refusal)
    # One leader's invitations are counted one at a time, so the daily limit holds.
    User.objects.select_for_update().only("pk").get(pk=leader.pk)
    if sent_today(leader) >= NOMINATIONS_PER_DAY:
        raise RegistrationError(
            f"You have sent {NOMINATIONS_PER_DAY} invitations in the last 24 hours, the most "
            "one school leader can send in a day. Try again tomorrow."
        )
    email = email.strip().lower()
    colleague = _colleague(leader, email)
    place = _school_place(leader, work_group)
    _check_not_in_place(place, email, colleague)
    _check_role_room(place, role)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                place=place,
                email=email,
                role=role,
                invitation_code=invitation_code.strip(),
                invited_by=leader,
                user=colleague,
            )
    except IntegrityError:
        # Another leader of the school named them at the same moment: say so, as if we had
        # seen that invitation first.
        _check_not_in_place(place, email, colleague)
        raise RegistrationError(f"{email} has already been invited to this place.") from None
    notifications.nominated(nomination)
    return nomination


def _colleague(leader: User, email: str) -> User | None:
    """The account at ``email``, which must be the leader's colleague; ``None`` if none."""
    colleague = User.objects.filter(email__iexact=email).first()
    if colleague is None:
        return None
    if colleague.pk == leader.pk:
        raise RegistrationError("You cannot name yourself: register on the group's page.")
    if colleague.school_id != leader.school_id or not colleague.is_active:
        raise RegistrationError(
            f"We cannot invite {email}: invitations go only to staff of {leader.school.name} "
            "with an account here, or to people without an account. If they work at your "
            "school, ask them to choose it in their profile, then name them again."
        )
    return colleague


def _school_place(leader: User, work_group: WorkGroup) -> Place:
    place = work_group.places.active().filter(school_id=leader.school_id).first()
    if place is None:
        raise RegistrationError(
            "Your school does not hold a place in this group yet. Register yourself to take "
            "the place first, or ask a colleague to register; then name colleagues."
        )
    return place


def _check_not_in_place(place: Place, email: str, colleague: User | None) -> None:
    if colleague is not None and place.registrations.active().filter(user=colleague).exists():
        raise RegistrationError(f"{email} is already registered in your school's place.")
    earlier = place.nominations.filter(
        email__iexact=email, status__in=[NominationStatus.INVITED, NominationStatus.DECLINED]
    ).first()
    if earlier is not None and earlier.status == NominationStatus.DECLINED:
        raise RegistrationError(f"{email} declined an invitation to this place already.")
    if earlier is not None:
        raise RegistrationError(f"{email} has already been invited to this place.")


def _check_role_room(place: Place, role: ParticipantRole) -> None:
    """Open invitations count against the role's limit, so acceptances cannot overfill it."""
    if role.project_id != place.work_group.project_id:
        raise RegistrationError("Choose one of the roles this project asks schools to send.")
    filled = place.registrations.filter(status=RegistrationStatus.ACTIVE, role=role).count()
    invited = place.nominations.filter(status=NominationStatus.INVITED, role=role).count()
    if filled + invited >= role.max_per_school:
        raise RegistrationError(
            f"Your school's {role.name.lower()} places are all taken or promised "
            f"(up to {role.max_per_school} per school)."
        )


def claim_nominations(*, user: User, email: str | None = None) -> int:
    """Give a newly verified user the open invitations sent to ``email`` (by default their
    own address), to accept or decline on their registrations page. Registers nobody."""
    return Nomination.objects.filter(
        email__iexact=email or user.email, status=NominationStatus.INVITED, user__isnull=True
    ).update(user=user)


def _open_invitation(nomination: Nomination, user: User) -> Nomination:
    """The invitation, locked, if it is ``user``'s and still open."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("place__work_group__project", "place__school", "role")
        .get(pk=nomination.pk)
    )
    if nomination.user_id != user.pk:
        raise RegistrationError("This invitation is for someone else.")
    if nomination.status != NominationStatus.INVITED:
        raise RegistrationError(
            f"You have already {nomination.get_status_display().lower()} this invitation."
        )
    return nomination


@transaction.atomic
def accept_nomination(*, nomination: Nomination, user: User) -> Registration:
    """Register ``user`` for the role they were named for, in their school's place."""
    nomination = _open_invitation(nomination, user)
    place = nomination.place
    if user.school_id != place.school_id:
        raise RegistrationError(
            f"This invitation is for {place.school.name}'s place. Choose {place.school.name} "
            "as your school in your profile to accept it."
        )
    if place.status not in ACTIVE_PLACE_STATUSES:
        raise RegistrationError(
            f"{place.school.name} no longer holds this place, so the invitation has lapsed. "
            "You can still register yourself on the group's page."
        )
    registration = register(
        user=user,
        work_group=place.work_group,
        role=nomination.role,
        invitation_code=nomination.invitation_code,
    )
    nomination.status, nomination.registration = NominationStatus.ACCEPTED, registration
    nomination.answered_at = timezone.now()
    nomination.save(update_fields=["status", "registration", "answered_at"])
    return registration


@transaction.atomic
def decline_nomination(*, nomination: Nomination, user: User) -> Nomination:
    """``user`` says no: they stay unregistered and the role is free for someone else."""
    nomination = _open_invitation(nomination, user)
    nomination.status, nomination.answered_at = NominationStatus.DECLINED, timezone.now()
    nomination.save(update_fields=["status", "answered_at"])
    return nomination
