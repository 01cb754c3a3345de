"""Confirmed school leaders name colleagues for the roles in their school's place.

Naming only invites. The named person sees the invitation on their registrations page and is
registered, through ``register`` (so every registration rule still applies), only when they
accept it; they may decline it instead. Invitations go only to the school's own staff on the
site, or to an address with no account, which is emailed an invitation to sign up first.
A leader sends at most ``NOMINATIONS_PER_DAY`` invitations in any 24 hours.

An invitation belongs to the school's place, not to whoever sent it: every confirmed leader of
the school sees it and may cancel it (as may the inviter and the hub's staff), and it stays
open while the place is held, whoever withdraws or registers again meanwhile. It is open until
it is answered, cancelled, or lapses ``INVITATION_LIFETIME`` after it was sent; when the
school's place is released (withdrawn, declined, or the group cancelled) its open invitations
are cancelled. Reads never trust the stored status alone: ``open_q`` (for queries) and
``shown_status`` (for rows read) say what is still open, so a lapsed invitation is lapsed
whether or not the daily ``expire_invitations`` has written it down.
Only accepting takes a role's seat: open invitations do not count against its limit, so
whoever accepts first while there is room is registered.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format

from core import audit
from core.scoping import can_manage_hub, is_national, staff_hub_ids
from participants.models import ClaimStatus, User
from participants.rules import current_leader_claim, is_verified_leader
from projects.models import ParticipantRole
from workgroups import notifications
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    Nomination,
    NominationStatus,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
)
from workgroups.services.registration import RegistrationError, register

NOMINATIONS_PER_DAY = 20
# An invitation not answered this long after it was sent lapses. Rows sent before invitations
# had an end date (``expires_at`` empty) lapse the same time after they were sent.
INVITATION_LIFETIME = datetime.timedelta(days=21)
# Lapsed and cancelled invitations stay on both sides' pages this long, then drop off.
SHOWN_AFTER_CLOSING = datetime.timedelta(days=30)
RELEASED_PLACE_STATUSES = [PlaceStatus.WITHDRAWN, PlaceStatus.DECLINED]


def _not_lapsed(now: datetime.datetime) -> Q:
    return Q(expires_at__gt=now) | Q(
        expires_at__isnull=True, created_at__gt=now - INVITATION_LIFETIME
    )


def open_q(now: datetime.datetime | None = None) -> Q:
    """Invitations still waiting for an answer at ``now``: invited, not lapsed, and their
    school's place still held."""
    now = now or timezone.now()
    return (
        Q(status=NominationStatus.INVITED)
        & _not_lapsed(now)
        & Q(place__status__in=ACTIVE_PLACE_STATUSES)
    )


def lapses_at(nomination: Nomination) -> datetime.datetime:
    return nomination.expires_at or nomination.created_at + INVITATION_LIFETIME


def shown_status(nomination: Nomination, now: datetime.datetime | None = None) -> str:
    """The status both sides see: an invitation past its end is expired, and one whose place
    was released cancelled, whether or not a job has written that down yet. Needs the place."""
    if nomination.status != NominationStatus.INVITED:
        return nomination.status
    if nomination.place.status in RELEASED_PLACE_STATUSES:
        return NominationStatus.CANCELLED
    if lapses_at(nomination) <= (now or timezone.now()):
        return NominationStatus.EXPIRED
    return NominationStatus.INVITED


def closed_on(nomination: Nomination) -> datetime.datetime | None:
    """When an invitation that was never answered stopped being open (lapsed or cancelled)."""
    status = shown_status(nomination)
    if status == NominationStatus.EXPIRED:
        return lapses_at(nomination)
    if status == NominationStatus.CANCELLED:
        return nomination.answered_at or nomination.place.decided_at
    return None


def lapse_date(when: datetime.datetime) -> str:
    """The day an invitation lapses as the email and the pages say it: "23 December"."""
    return date_format(timezone.localtime(when), "j F")


def joining_refusal(project) -> str | None:
    """Why nobody names colleagues for ``project``'s groups, or ``None`` where leaders may:
    where teachers join in their own right (``projects.activity_types``), each registers
    themselves."""
    if project.rules.colleagues_named:
        return None
    return (
        f"Each teacher joins a {project.group_noun} in their own right: colleagues who would "
        "like to take part register themselves."
    )


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
    refusal = joining_refusal(work_group.project) or naming_refusal(leader)
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
    # A lapsed invitation frees the address for a new one (the database allows one open).
    _write_down_lapsed(place.nominations.filter(email__iexact=email))
    _check_not_in_place(place, email, colleague)
    _check_role_room(place, role)
    now = timezone.now()
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                place=place,
                email=email,
                role=role,
                invitation_code=invitation_code.strip(),
                invited_by=leader,
                user=colleague,
                expires_at=now + INVITATION_LIFETIME,
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


def _role_full(place: Place, role: ParticipantRole) -> bool:
    """Whether the place's registrations fill every seat of ``role`` (invitations take none)."""
    filled = place.registrations.filter(status=RegistrationStatus.ACTIVE, role=role).count()
    return filled >= role.max_per_school


def _check_role_room(place: Place, role: ParticipantRole) -> None:
    """Only registrations take a role's seats: a leader may invite more colleagues than there
    are seats, and whoever accepts first while one is free takes it."""
    if role.project_id != place.work_group.project_id:
        raise RegistrationError("Choose one of the roles this project asks schools to send.")
    if _role_full(place, role):
        raise RegistrationError(
            f"Your school's {role.name.lower()} places are all taken "
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
        .select_related("place__work_group__project", "place__school", "role", "invited_by")
        .get(pk=nomination.pk)
    )
    if nomination.user_id != user.pk:
        raise RegistrationError("This invitation is for someone else.")
    status = shown_status(nomination)
    inviter = _name(nomination.invited_by) or "a school leader"
    if status == NominationStatus.EXPIRED:
        raise RegistrationError(
            f"This invitation lapsed on {lapse_date(lapses_at(nomination))}, so it can no "
            f"longer be accepted. Ask {inviter} to name you again, or register yourself on "
            "the group's page."
        )
    released = nomination.place.status in RELEASED_PLACE_STATUSES
    if status == NominationStatus.CANCELLED and released:
        raise RegistrationError(
            f"{nomination.place.school.name} no longer holds this place, so the invitation was "
            "cancelled. You can still register yourself on the group's page."
        )
    if status == NominationStatus.CANCELLED:
        raise RegistrationError(
            "This invitation was cancelled by your school, so it can no longer be answered."
        )
    if status != NominationStatus.INVITED:
        raise RegistrationError(
            f"You have already {nomination.get_status_display().lower()} this invitation."
        )
    return nomination


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


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
    role = nomination.role
    if _role_full(place, role):
        raise RegistrationError(
            f"{place.school.name}'s {role.name.lower()} places were filled while your "
            f"invitation waited (up to {role.max_per_school} per school), so you cannot take "
            f"this one. Ask {_name(nomination.invited_by) or 'your school leader'} whether "
            "another role suits you."
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


@transaction.atomic
def cancel_nomination(*, nomination: Nomination, by: User) -> Nomination:
    """Withdraw an invitation still waiting: by whoever sent it, another confirmed leader of
    the school, or the hub's staff. The named person is told in a short email, as they were
    emailed the invitation; the audit trail records who cancelled it."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("place__work_group", "place__school", "role", "invited_by")
        .get(pk=nomination.pk)
    )
    if not may_cancel(by, nomination):
        if nomination.user_id is not None and nomination.user_id == by.pk:
            raise RegistrationError(
                "You cannot cancel an invitation to you: decline it on your registrations page."
            )
        raise RegistrationError("Only the school's confirmed leaders can cancel this invitation.")
    status = shown_status(nomination)
    if status == NominationStatus.EXPIRED:
        raise RegistrationError(
            f"The invitation to {nomination.email} lapsed on "
            f"{lapse_date(lapses_at(nomination))}: there is nothing to cancel."
        )
    if status != NominationStatus.INVITED:
        raise RegistrationError(
            f"The invitation to {nomination.email} is {status_label(status)} already: "
            "there is nothing to cancel."
        )
    with audit.by(by, reason="Invitation cancelled"):
        nomination.status, nomination.answered_at = NominationStatus.CANCELLED, timezone.now()
        nomination.save(update_fields=["status", "answered_at"])
    notifications.nomination_cancelled(nomination, by=by)
    return nomination


def may_cancel(user: User, nomination: Nomination) -> bool:
    """The inviter, a confirmed leader of the place's school or the hub's staff; never the
    named person themselves (they decline instead). Needs the place's school and group."""
    if not (user.is_authenticated and user.is_active):
        return False
    if nomination.user_id is not None and nomination.user_id == user.pk:
        return False
    place = nomination.place
    return (
        nomination.invited_by_id == user.pk
        or is_verified_leader(user, place.school)
        or can_manage_hub(user, place.work_group.hub_id)
    )


def cancellable_by(user: User):
    """The invitations ``user`` may cancel, as a queryset (``may_cancel`` for many rows): their
    own, their school's for its confirmed leaders, their hubs' for hub staff."""
    mine = Q(invited_by=user)
    if is_verified_leader(user):
        mine |= Q(place__school_id=user.school_id)
    if is_national(user):
        mine = Q()
    elif staff_hub_ids(user):
        mine |= Q(place__work_group__hub_id__in=staff_hub_ids(user))
    return Nomination.objects.filter(mine).exclude(user=user)


def status_label(status: str) -> str:
    return (
        "lapsed" if status == NominationStatus.EXPIRED else NominationStatus(status).label.lower()
    )


def _write_down_lapsed(nominations) -> int:
    """Mark lapsed invitations among ``nominations`` expired, one saved row each (so the audit
    trail records them). Correctness never waits on this: reads use ``open_q``/``shown_status``."""
    now = timezone.now()
    lapsed = nominations.filter(status=NominationStatus.INVITED).exclude(_not_lapsed(now))
    count = 0
    with audit.by(None, reason="Invitation lapsed unanswered"):
        for nomination in lapsed.select_for_update():
            nomination.status = NominationStatus.EXPIRED
            nomination.save(update_fields=["status"])
            count += 1
    return count


@transaction.atomic
def expire_invitations() -> int:
    """Write down every invitation that lapsed unanswered, and cancel any still open on a
    released place (rows from before places' release cancelled them). Safe to run twice."""
    expired = _write_down_lapsed(Nomination.objects.all())
    orphaned = Nomination.objects.filter(
        status=NominationStatus.INVITED, place__status__in=RELEASED_PLACE_STATUSES
    )
    return expired + _cancel_rows(orphaned, reason="The school's place was released")


def _cancel_rows(nominations, *, reason: str) -> int:
    count = 0
    now = timezone.now()
    with transaction.atomic(), audit.by(None, reason=reason):
        for nomination in nominations.select_for_update(of=("self",)):
            nomination.status, nomination.answered_at = NominationStatus.CANCELLED, now
            nomination.save(update_fields=["status", "answered_at"])
            count += 1
    return count


@receiver(post_save, sender=Place, dispatch_uid="nominations_place_released")
def _place_released(sender, instance: Place, update_fields=None, **kwargs) -> None:
    """Every service that releases a place (a last withdrawal, the hub declining it, the group
    cancelled) saves its status, so this one receiver cancels its open invitations for all."""
    if kwargs.get("created") or instance.status not in RELEASED_PLACE_STATUSES:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    _cancel_rows(
        Nomination.objects.filter(place=instance, status=NominationStatus.INVITED),
        reason="The school's place was released",
    )
