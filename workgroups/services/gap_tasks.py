"""Between sessions: what each teacher did with the task their lead set."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core.errors import DomainError
from workgroups.models import (
    TAKEN_PLACE_STATUSES,
    GapTaskResponse,
    Registration,
    RegistrationStatus,
    Session,
    SessionRecord,
)


class GapTaskError(DomainError):
    """A between-session response cannot be saved; the message is for the teacher."""


def response_deadline(session_record: SessionRecord) -> datetime.datetime | None:
    """Responses stay editable until the group's next session starts (no next session: open)."""
    session = session_record.session
    return (
        Session.objects.filter(
            work_group_id=session.work_group_id, starts_at__gt=session.starts_at, cancelled=False
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def can_respond(session_record: SessionRecord, deadline: datetime.datetime | None) -> bool:
    return bool(session_record.gap_task) and (deadline is None or timezone.now() < deadline)


def tasks_waiting(user, now: datetime.datetime | None = None) -> list[SessionRecord]:
    """The tasks set at held sessions of the user's groups that they have not answered and can
    still answer (the next session has not started), oldest first, each with its ``deadline``
    (``None``: open until a next session is planned). One query."""
    now = now or timezone.now()
    my_groups = Registration.objects.filter(
        user=user, status=RegistrationStatus.ACTIVE, place__status__in=TAKEN_PLACE_STATUSES
    ).values("work_group_id")
    answered = GapTaskResponse.objects.filter(
        session_record=OuterRef("pk"), registration__user=user
    )
    next_start = (
        Session.objects.filter(
            work_group=OuterRef("session__work_group"),
            starts_at__gt=OuterRef("session__starts_at"),
            cancelled=False,
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return list(
        SessionRecord.objects.filter(
            session__work_group__in=my_groups,
            session__cancelled=False,
            session__starts_at__lte=now,
        )
        .exclude(gap_task="")
        .exclude(Exists(answered))
        .annotate(deadline=Subquery(next_start))
        .filter(Q(deadline__isnull=True) | Q(deadline__gt=now))
        .select_related("session__work_group")
        .order_by("session__starts_at", "pk")
    )


@transaction.atomic
def save_gap_task_response(
    *,
    registration: Registration,
    session_record: SessionRecord,
    what_i_did: str,
    reflection: str = "",
) -> GapTaskResponse:
    """Create or update the teacher's one response to a session's task, while it is open."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("place")
        .get(pk=registration.pk)
    )
    _check_participant(registration, session_record)
    if not session_record.gap_task:
        raise GapTaskError("No task was set at this session, so there is nothing to record.")
    if not can_respond(session_record, response_deadline(session_record)):
        raise GapTaskError("The next session has started, so this task can no longer be changed.")
    if not what_i_did.strip():
        raise GapTaskError("Say what you did in class.")
    response, _ = GapTaskResponse.objects.update_or_create(
        registration=registration,
        session_record=session_record,
        defaults={"what_i_did": what_i_did.strip(), "reflection": reflection.strip()},
    )
    return response


def _check_participant(registration: Registration, session_record: SessionRecord) -> None:
    if (
        registration.status != RegistrationStatus.ACTIVE
        or registration.place.status not in TAKEN_PLACE_STATUSES
        or registration.work_group_id != session_record.session.work_group_id
    ):
        raise GapTaskError("Only the group's participants can record what they did.")
