"""A group's life: opened for recruitment, started, completed or cancelled.

Every status change goes through ``change_status``, which asks the group's transition table
(``workgroups.models.GROUP_TRANSITIONS``) and does what the change means: completing marks
who completed, person by person and school by school (``completion``); cancelling releases
every place and tells everyone. Full and recruiting swap by themselves as places come and go
(``registration.sync_full_status``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.email import send_templated
from core.errors import DomainError, Reason
from core.text import check_lengths
from workgroups.cache import group_changed
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    CLOSED_PLACE_STATUSES,
    Place,
    PlaceStatus,
    RegistrationStatus,
    WorkGroup,
    WorkGroupStatus,
)
from workgroups.services.completion import mark_completions
from workgroups.services.registration import promote_from_waitlist, sync_full_status


class LifecycleError(DomainError):
    """A group cannot move to that status; the reason says why and what to do instead."""


def next_statuses(work_group: WorkGroup) -> list[str]:
    """The statuses a person may move the group to, in the order of its life."""
    allowed = {s for s in WorkGroupStatus.values if work_group.may_become(s)}
    allowed.discard(WorkGroupStatus.FULL)  # follows from the places taken, never chosen
    if work_group.status == WorkGroupStatus.FULL:
        allowed.discard(WorkGroupStatus.RECRUITING)
    return [s for s in WorkGroupStatus.values if s in allowed]


@transaction.atomic
def change_status(*, work_group: WorkGroup, status: str, reason: str = "") -> WorkGroup:
    """Move the group to ``status`` if its life allows it, doing what that change means."""
    group = WorkGroup.objects.locked(work_group)
    if status == group.status:
        return group
    if status not in next_statuses(group):
        raise LifecycleError(
            Reason(
                f"A {group.get_status_display().lower()} group cannot become "
                f"{WorkGroupStatus(status).label.lower()}.",
                field="status",
            )
        )
    if status == WorkGroupStatus.CANCELLED:
        return cancel(work_group=group, reason=reason)
    if status == WorkGroupStatus.COMPLETED:
        mark_completions(work_group=group)
        group.refresh_from_db()
        group_changed(group)
        return group
    group.status = status
    group.save(update_fields=["status"])
    if status == WorkGroupStatus.RECRUITING:
        sync_full_status(group)
    if status == WorkGroupStatus.RUNNING:
        promote_from_waitlist(work_group=group)
    group_changed(group)
    return group


@transaction.atomic
def cancel(*, work_group: WorkGroup, reason: str) -> WorkGroup:
    """Cancel the group: every open place is released, every participant and school told why,
    and the group leaves the national counts. A completed group cannot be cancelled. Each
    place and registration is saved, which recounts the counters."""
    group = WorkGroup.objects.locked(work_group)
    reason = reason.strip()
    if not reason:
        raise LifecycleError(
            Reason("Say why the group is cancelled: its schools are told.", field="reason")
        )
    check_lengths(LifecycleError, reason=reason)
    if not group.may_become(WorkGroupStatus.CANCELLED):
        raise LifecycleError(f"A {group.get_status_display().lower()} group cannot be cancelled.")
    now = timezone.now()
    places = list(
        Place.objects.filter(work_group=group, status__in=ACTIVE_PLACE_STATUSES)
        .exclude(status__in=CLOSED_PLACE_STATUSES)
        .select_related("school")
    )
    people = sorted(
        {
            r.user.email
            for place in places
            for r in place.registrations.filter(status=RegistrationStatus.ACTIVE).select_related(
                "user"
            )
        }
    )
    for place in places:
        released = (
            PlaceStatus.WITHDRAWN
            if place.status == PlaceStatus.CONFIRMED
            else (PlaceStatus.DECLINED)
        )
        place.status, place.decided_at = released, now
        place.save(update_fields=["status", "decided_at"])
        for registration in place.registrations.filter(status=RegistrationStatus.ACTIVE):
            registration.status, registration.withdrawn_at = RegistrationStatus.WITHDRAWN, now
            registration.save(update_fields=["status", "withdrawn_at"])
    group.status = WorkGroupStatus.CANCELLED
    group.cancelled_at, group.cancellation_reason = now, reason
    group.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    send_templated("group_cancelled", people, {"group": group, "reason": reason})
    group_changed(group)
    return group
