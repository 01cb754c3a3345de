"""Closing a group's year: who completed it, person by person and school by school, and the
lead's override of what attendance said.

Each active participant of a confirmed place is measured against the sessions held while they
took part: the held sessions (not cancelled, already over) that started once they had
registered, plus any earlier one they attended all the same. Someone who registered after the
last session was held is measured against every held session, so joining late never makes
completing easier. They completed when they attended (present or late) at least
``ceil(sessions counted * project.completion_attendance / 100)`` of them. A school's place
completed when any of its participants did, and did not complete otherwise.

A lead (or the hub's staff) may then override a person's outcome, with a reason; the school's
place follows its people again. Closing the year only decides places still confirmed, so
closing it twice never undoes an override.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, F, OuterRef, QuerySet, When
from django.utils import timezone

from core import audit
from core.errors import Reason
from core.text import check_lengths
from participants.models import User
from workgroups.cache import group_changed
from workgroups.models import (
    ATTENDED_STATUSES,
    CLOSED_PLACE_STATUSES,
    Attendance,
    Completion,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    Session,
    WorkGroup,
    WorkGroupStatus,
    count_rows,
    recount_group,
)
from workgroups.services.delivery import DeliveryError, held_sessions, runs_group


class CompletionError(DeliveryError):
    """A completion rule said no; ``reasons`` say why in words a lead understands."""


def with_attendance(registrations: QuerySet[Registration], now=None) -> QuerySet[Registration]:
    """``registrations`` with ``sessions_attended`` (held sessions they were at, present or
    late) and ``sessions_counted`` (the held sessions they are measured against), counted by
    the database in the same query."""
    now = now or timezone.now()
    held = Session.objects.filter(
        work_group=OuterRef("work_group"), cancelled=False, ends_at__lte=now
    )
    attended = Attendance.objects.filter(
        registration=OuterRef("pk"),
        status__in=ATTENDED_STATUSES,
        session__cancelled=False,
        session__ends_at__lte=now,
    )
    return registrations.annotate(
        sessions_attended=count_rows(attended, "registration"),
        sessions_held_in_group=count_rows(held, "work_group"),
        sessions_since_joining=count_rows(
            held.filter(starts_at__gte=OuterRef("created_at")), "work_group"
        ),
        attended_before_joining=count_rows(
            attended.filter(session__starts_at__lt=OuterRef("created_at")), "registration"
        ),
    ).annotate(
        sessions_counted=Case(
            When(sessions_since_joining=0, then=F("sessions_held_in_group")),
            default=F("sessions_since_joining") + F("attended_before_joining"),
        )
    )


def outcome(*, attended: int, counted: int, threshold: int) -> str:
    """Completed when ``attended`` is at least ``threshold`` % of ``counted``, rounded up."""
    if attended * 100 >= counted * threshold:
        return Completion.COMPLETED
    return Completion.NOT_COMPLETED


def place_status(completions) -> str:
    """A school's place completed when any of its participants did."""
    return (
        PlaceStatus.COMPLETED
        if Completion.COMPLETED in set(completions)
        else PlaceStatus.NOT_COMPLETED
    )


@transaction.atomic
def mark_completions(*, work_group: WorkGroup) -> list[Place]:
    """Close the year: each active participant of a confirmed place completed or not from
    their own attendance, and each such place from its people; the group becomes completed.

    Counted in the database; the audit trail records each outcome. Only places still confirmed
    are decided, so running it twice changes nothing more and keeps the lead's overrides.
    Returns the places that completed this time.
    """
    group = WorkGroup.objects.locked(work_group)
    now = timezone.now()
    _check_closable(group, now)
    threshold = group.project.completion_attendance
    people = list(
        with_attendance(
            Registration.objects.active().filter(
                work_group=group, place__status=PlaceStatus.CONFIRMED
            ),
            now,
        )
        .select_related("user")
        .order_by("pk")
    )
    for person in people:
        person.outcome = outcome(
            attended=person.sessions_attended, counted=person.sessions_counted, threshold=threshold
        )
    places = list(
        Place.objects.filter(work_group=group, status=PlaceStatus.CONFIRMED)
        .select_related("school", "work_group")
        .order_by("pk")
    )
    for place in places:
        place.outcome = place_status(p.outcome for p in people if p.place_id == place.pk)
    _save_outcomes(group, people, places, now=now, threshold=threshold)
    if group.status != WorkGroupStatus.COMPLETED:
        group.status = WorkGroupStatus.COMPLETED
        group.save(update_fields=["status"])
    return [place for place in places if place.outcome == PlaceStatus.COMPLETED]


def _check_closable(group: WorkGroup, now) -> None:
    if not (
        group.status == WorkGroupStatus.COMPLETED or group.may_become(WorkGroupStatus.COMPLETED)
    ):
        raise CompletionError(f"A {group.get_status_display().lower()} group cannot be closed.")
    if group.sessions.filter(cancelled=False, ends_at__gt=now).exists():
        raise CompletionError("Some sessions have not happened yet; close the year after the last.")
    if not held_sessions(group, now).exists():
        raise CompletionError("No sessions have been held, so nobody can complete the group.")


def _save_outcomes(group: WorkGroup, people: list, places: list, *, now, threshold: int) -> None:
    """Two ``UPDATE``s for the people and two for the places, then the counters and the audit
    trail (updates send no signals)."""
    for value in Completion.values:
        Registration.objects.filter(pk__in=[p.pk for p in people if p.outcome == value]).update(
            completion=value
        )
    for value in CLOSED_PLACE_STATUSES:
        Place.objects.filter(pk__in=[p.pk for p in places if p.outcome == value]).update(
            status=value, decided_at=now
        )
    recount_group(group)
    group_changed(group)
    for person in people:
        audit.record(
            person,
            changes={"completion": (person.completion, person.outcome)},
            reason=f"Attended {person.sessions_attended} of the {person.sessions_counted} "
            f"sessions held while they took part; {threshold}% completes.",
        )
    for place in places:
        audit.record(
            place,
            changes={
                "status": (place.status, place.outcome),
                "decided_at": (place.decided_at, now),
            },
        )


def _check_override(completion: str, reason: str) -> None:
    reasons = []
    if completion not in Completion.values:
        reasons.append(Reason("Choose completed or did not complete.", field="completion"))
    if not reason:
        reasons.append(Reason("Say why you are changing what attendance said.", field="reason"))
    if reasons:
        raise CompletionError(reasons)
    check_lengths(CompletionError, reason=reason)


@transaction.atomic
def override_completion(
    *, registration: Registration, completion: str, reason: str, by: User
) -> Registration:
    """Set one person's outcome, with the lead's reason, once their group is completed; their
    school's place then completed if any of its people did (the reason noted on the place when
    its status changes). The audit trail records who did it and why."""
    reason = (reason or "").strip()
    _check_override(completion, reason)
    group = WorkGroup.objects.locked(registration.work_group)
    if not runs_group(by, group):
        raise CompletionError(
            "Only the group's leads and its hub's staff can change who completed."
        )
    if group.status != WorkGroupStatus.COMPLETED:
        raise CompletionError(
            "The group is not completed yet: close the year first, then change an outcome."
        )
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("place")
        .get(pk=registration.pk)
    )
    if (
        registration.status != RegistrationStatus.ACTIVE
        or registration.place.status not in CLOSED_PLACE_STATUSES
    ):
        raise CompletionError(
            "Only people still taking part when the group closed have an outcome."
        )
    with audit.by(by, reason):
        registration.completion, registration.completion_note = completion, reason
        registration.save(update_fields=["completion", "completion_note"])
        _follow_people(registration.place, reason)
    group_changed(group)
    return registration


def _follow_people(place: Place, reason: str) -> None:
    place = Place.objects.select_for_update(of=("self",)).get(pk=place.pk)
    status = place_status(
        Registration.objects.active()
        .filter(place=place)
        .order_by()
        .values_list("completion", flat=True)
    )
    if status != place.status:
        place.status, place.completion_note = status, reason
        place.save(update_fields=["status", "completion_note"])
