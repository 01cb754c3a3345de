"""Places and registrations: register, withdraw and the waiting list.

Each runs in one transaction and locks the group's row before counting places, so two schools
can never take the last place and the waiting list is served strictly in its order (the
project's rule, ``workgroups.models.WAITING_ORDER``).
Every change of a place or registration recounts the group's and the place's counters (saving
a row does it; the bulk updates here call ``recount_group``) under that lock, and tells the
cache the group's pages are stale (``group_changed``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import DomainError, Reason
from participants.models import User
from projects.models import ParticipantRole, Project
from workgroups import notifications
from workgroups.cache import group_changed, project_rules
from workgroups.eligibility import Eligibility, check_group_open, choose_role, eligibility
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    DECIDABLE_PLACE_STATUSES,
    FINISHED_GROUP_STATUSES,
    PLACE_TRANSITIONS,
    PROMOTABLE_GROUP_STATUSES,
    TAKEN_PLACE_STATUSES,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
    WorkGroupStatus,
    recount_group,
    waiting_key,
)

# More places than any group could use: a typing slip, not a plan.
MAX_CAPACITY = 200


class RegistrationError(DomainError):
    """A registration rule said no; ``reasons`` are in words a teacher understands."""


def check_capacity(project: Project, capacity: int) -> None:
    """Refuse a number of places the project's groups cannot have: at least one, at most
    ``MAX_CAPACITY``, and no more than the activity type allows (one school for Targeted
    Support)."""
    limit = project.rules.schools_per_group
    if limit is not None and capacity > limit:
        schools = "one school" if limit == 1 else f"{limit} schools"
        raise RegistrationError(
            Reason(
                f"A {project.group_noun} works with {schools}: give at most {limit} "
                f"place{'s' if limit != 1 else ''}.",
                field="capacity",
            )
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise RegistrationError(
            Reason(f"Give between 1 and {MAX_CAPACITY} places.", field="capacity")
        )


def _places_taken(group: WorkGroup) -> int:
    return group.places.taken().count()


def sync_full_status(group: WorkGroup, taken: int | None = None) -> None:
    """Recruiting groups become full when every place is taken, and reopen when one frees.
    ``taken`` is the places taken when the caller has just counted them under the lock."""
    taken = _places_taken(group) if taken is None else taken
    if group.status == WorkGroupStatus.RECRUITING and taken >= group.capacity:
        group.status = WorkGroupStatus.FULL
    elif group.status == WorkGroupStatus.FULL and taken < group.capacity:
        group.status = WorkGroupStatus.RECRUITING
    else:
        return
    group.save(update_fields=["status"])


@transaction.atomic
def register(
    *,
    user: User,
    work_group: WorkGroup,
    role: ParticipantRole | None = None,
    invitation_code: str | None = None,
) -> Registration:
    """Register ``user`` for ``work_group`` for their own school.

    The first person from a school takes the school's place: confirmed when one is free,
    pending where the project needs hub approval, waitlisted when the group is full.
    Colleagues join that place while the project's role limits allow.

    Every reason why not is found before the group's row is locked, so registrations for one
    group check eligibility side by side (the project's rules read from the cache, as the
    pages read them); under the lock only what another registration can change meanwhile is
    checked again (the group still open, the person not yet registered, the school's place and
    its roles' room), then places are counted and the rows written, with the audit trail and
    the email in the same transaction. The email's waiting-list position comes from the places
    read under the lock, and the group's pages are told they are stale once.
    """
    group = WorkGroup.objects.select_related("academic_year", "hub").get(pk=work_group.pk)
    group.project = project_rules([group.project_id])[group.project_id].project_with_rules()
    verdict = eligibility(user, group, role=role, invitation_code=invitation_code)
    if not verdict.ok:
        raise RegistrationError(verdict.reasons)
    # The group's pages are stale now and again at commit; told before the lock, so the lock
    # waits on no cache (an entry built meanwhile from the old rows goes at commit).
    group_changed(group)
    group = _lock(group)
    place, chosen_role, taken, waiting = _check_again_under_lock(user, group, role, verdict)
    if place is None:
        now, status = timezone.now(), _status_for_new_place(group, taken)
        place = Place(
            work_group=group,
            school=user.school,  # read by eligibility: named in the audit trail and the email
            status=status,
            requested_at=now,
            decided_at=now if status == PlaceStatus.CONFIRMED else None,
            requested_by=user,
        )
        place.group_changed_told = True  # already: its receiver need not tell the cache again
        place.save(force_insert=True)
        sync_full_status(group, taken + (1 if status in TAKEN_PLACE_STATUSES else 0))
    registration = Registration(place=place, user=user, role=chosen_role)
    # New, so nobody has named it in a nomination yet: the audit trail need not ask.
    Registration.nomination.related.set_cached_value(registration, None)
    registration.save(force_insert=True)
    notifications.registered(registration, position=_waitlist_position(place, waiting))
    return registration


def _lock(group: WorkGroup) -> WorkGroup:
    """``WorkGroup.objects.locked``, keeping the project with its rules as already read (a
    group's project never changes)."""
    project = group.project
    locked = WorkGroup.objects.locked(group)
    locked.project = project
    return locked


def _check_again_under_lock(
    user: User, group: WorkGroup, role: ParticipantRole | None, verdict: Eligibility
) -> tuple[Place | None, ParticipantRole, int, list[tuple]]:
    """What another registration may have changed since ``eligibility`` ran, on the locked
    group: its status, the person registered meanwhile (a second click), the school's place as
    it is now with the role that still has room in it; the places taken, and the waiting
    places' ``waiting_key``s (the order they are served in, by the project's rule)."""
    reasons: list[str] = []
    check_group_open(group, reasons)
    registered = Registration.objects.filter(
        work_group=group, user=user, status=RegistrationStatus.ACTIVE
    )
    if registered.exists():
        reasons.append("You are already registered for this group in this project this year.")
    places = Place.objects.filter(work_group=group, status__in=ACTIVE_PLACE_STATUSES)
    rows = list(
        places.order_by("pk").values_list(
            "pk", "school_id", "status", "requested_at", "school__fsm_percentage"
        )
    )
    taken = sum(1 for _, _, status, _, _ in rows if status in TAKEN_PLACE_STATUSES)
    rule = group.project.oversubscription
    waiting = [
        waiting_key(rule, fsm, at, pk)
        for pk, _, status, at, fsm in rows
        if status == PlaceStatus.WAITLISTED
    ]
    mine = next((pk for pk, school_id, _, _, _ in rows if school_id == user.school_id), None)
    place = None
    if mine is not None:
        place = Place.objects.select_related("school").get(pk=mine)
        place.work_group = group
    chosen_role = verdict.role  # chosen for no place, as there still is none
    if place is not None or verdict.place is not None:
        chosen_role = choose_role(group.project, place, role, reasons, user=user)
    if reasons:
        raise RegistrationError(reasons)
    return place, chosen_role, taken, waiting


def _waitlist_position(place: Place, waiting: list[tuple]) -> int | None:
    """``waitlist_position(place)`` from the waiting places' ``waiting_key``s read under the
    lock (the place itself among them, or just added): those served before it, and it."""
    if place.status != PlaceStatus.WAITLISTED:
        return None
    rule = place.work_group.project.oversubscription
    served_first = waiting_key(rule, place.school.fsm_percentage, place.requested_at, place.pk)
    return 1 + sum(1 for row in waiting if row < served_first)


def _status_for_new_place(group: WorkGroup, taken: int) -> str:
    if taken >= group.capacity:
        return PlaceStatus.WAITLISTED
    if group.project.needs_approval:
        return PlaceStatus.PENDING
    return PlaceStatus.CONFIRMED


@transaction.atomic
def withdraw(*, registration: Registration) -> Registration:
    """Withdraw one person; the school's place is freed when its last participant leaves."""
    group = WorkGroup.objects.locked(registration.work_group)
    registration = Registration.objects.select_related("place__school").get(pk=registration.pk)
    if registration.status == RegistrationStatus.WITHDRAWN:
        return registration
    if group.status in FINISHED_GROUP_STATUSES:
        raise RegistrationError(
            f"{group.name} is {group.get_status_display().lower()}, so there is nothing to "
            "withdraw from: the record of who took part stays as it is."
        )
    registration.status = RegistrationStatus.WITHDRAWN
    registration.withdrawn_at = timezone.now()
    registration.save(update_fields=["status", "withdrawn_at"])
    notifications.withdrawn(registration)
    place = registration.place
    leaving = PlaceStatus.WITHDRAWN in PLACE_TRANSITIONS[place.status]
    if leaving and not place.registrations.active().exists():
        _move(place, PlaceStatus.WITHDRAWN)
        sync_full_status(group)
        promote_from_waitlist(work_group=group)
    group_changed(group)
    return registration


@transaction.atomic
def promote_from_waitlist(*, work_group: WorkGroup) -> list[Place]:
    """Confirm waitlisted schools, in the waiting list's order (the project's rule: first come
    first served, or schools with more disadvantaged pupils first), while places are free."""
    group = WorkGroup.objects.locked(work_group)
    if group.status not in PROMOTABLE_GROUP_STATUSES:
        return []
    free = group.capacity - _places_taken(group)
    if free <= 0:
        return []
    promoted = list(group.places.waiting_list()[:free])
    for place in promoted:
        _confirm(place)
    sync_full_status(group)
    if promoted:
        group_changed(group)
    return promoted


@transaction.atomic
def change_capacity(*, work_group: WorkGroup, capacity: int) -> list[Place]:
    """Set how many schools the group takes; more places are filled from the waiting list in
    order, and the schools promoted are returned. It cannot go below the places taken."""
    group = WorkGroup.objects.locked(work_group)
    taken = _places_taken(group)
    if capacity < max(taken, 1):
        raise RegistrationError(
            Reason(
                f"{group.name} has {taken} schools with a place, so it needs at least "
                f"{max(taken, 1)} places. Withdraw a school first to go lower.",
                field="capacity",
            )
        )
    check_capacity(group.project, capacity)
    group.capacity = capacity
    group.save(update_fields=["capacity"])
    sync_full_status(group)
    promoted = promote_from_waitlist(work_group=group)
    group_changed(group)
    return promoted


def _move(place: Place, status: str) -> None:
    """Change a place's status along ``PLACE_TRANSITIONS``; anything else is a bug."""
    if status not in PLACE_TRANSITIONS[place.status]:
        raise RegistrationError(
            f"{place.school.name}'s place is {place.get_status_display().lower()}, "
            f"so it cannot become {PlaceStatus(status).label.lower()}."
        )
    place.status = status
    place.decided_at = timezone.now()
    place.save(update_fields=["status", "decided_at"])


def _confirm(place: Place) -> None:
    _move(place, PlaceStatus.CONFIRMED)
    notifications.place_confirmed(place)


@transaction.atomic
def confirm_place(*, place: Place) -> Place:
    """Hub approval of a pending or waitlisted place, while the group has room."""
    group = WorkGroup.objects.locked(place.work_group)
    place = Place.objects.select_related("school").get(pk=place.pk)
    if place.status == PlaceStatus.CONFIRMED:
        return place
    if place.status not in DECIDABLE_PLACE_STATUSES:
        raise RegistrationError(
            f"{place.school.name}'s place is {place.get_status_display().lower()}, "
            "so it cannot be confirmed."
        )
    if _places_taken(group) >= group.capacity:
        raise RegistrationError(
            f"{group.name} is full: add places or free one before confirming {place.school.name}."
        )
    place.work_group = group
    _confirm(place)
    sync_full_status(group)
    group_changed(group)
    return place


@transaction.atomic
def decline_place(*, place: Place) -> Place:
    """The hub turns a pending or waitlisted place down; its participants are withdrawn."""
    group = WorkGroup.objects.locked(place.work_group)
    place = Place.objects.select_related("school").get(pk=place.pk)
    if place.status not in DECIDABLE_PLACE_STATUSES:
        raise RegistrationError(
            f"{place.school.name}'s place is {place.get_status_display().lower()}, "
            "so it cannot be declined."
        )
    _move(place, PlaceStatus.DECLINED)
    now = timezone.now()
    withdrawing = list(place.registrations.active().select_related("user", "role"))
    Registration.objects.filter(pk__in=[row.pk for row in withdrawing]).update(
        status=RegistrationStatus.WITHDRAWN, withdrawn_at=now
    )
    recount_group(group)  # the update saved no rows, so nothing recounted them
    for registration in withdrawing:  # the update sent no signals: the audit trail hears it here
        audit.record(
            registration,
            changes={
                "status": (registration.status, RegistrationStatus.WITHDRAWN),
                "withdrawn_at": (registration.withdrawn_at, now),
            },
        )
    notifications.place_declined(place)
    group_changed(group)
    return place
