"""Read-only figures for the lead area, computed in the database with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from workgroups.models import (
    ATTENDED_STATUSES,
    TAKEN_PLACE_STATUSES,
    Attendance,
    GapTaskResponse,
    Place,
    RecordStatus,
    Registration,
    Session,
    SessionRecord,
    WorkGroup,
)


def count_of(queryset: QuerySet, group_path: str = "work_group") -> Coalesce:
    """A correlated ``COUNT`` of ``queryset`` rows per outer group, 0 when there are none."""
    counted = queryset.order_by().values(group_path).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _group_sessions():
    return Session.objects.filter(work_group=OuterRef("pk"))


def _held_sessions(now):
    return _group_sessions().filter(cancelled=False, ends_at__lte=now)


def with_roster_counts(groups: QuerySet[WorkGroup]) -> QuerySet[WorkGroup]:
    return groups.annotate(
        schools=count_of(
            Place.objects.filter(work_group=OuterRef("pk"), status__in=TAKEN_PLACE_STATUSES)
        ),
        participants=count_of(
            Registration.objects.active().filter(
                work_group=OuterRef("pk"), place__status__in=TAKEN_PLACE_STATUSES
            )
        ),
    )


def dashboard_groups(groups: QuerySet[WorkGroup]) -> list[WorkGroup]:
    """Each group with its size, next session and what is still to record, in three plain
    queries: the groups, their sessions, their places. (One query with a subquery for each
    figure costs the ORM and the database's planner more than all three together.)"""
    now = timezone.now()
    rows = list(
        groups.select_related("project", "hub", "academic_year", "evaluation").order_by(
            "-academic_year__starts_on", "project__title", "name"
        )
    )
    ids = [group.pk for group in rows]
    marked = Exists(Attendance.objects.filter(session=OuterRef("pk")))
    finished = Exists(
        SessionRecord.objects.filter(session=OuterRef("pk"), status=RecordStatus.FINAL)
    )
    sessions = (
        Session.objects.filter(work_group__in=ids, cancelled=False)
        .order_by("starts_at")
        .values_list("work_group_id", "starts_at", "ends_at", marked, finished)
    )
    people = (
        Place.objects.filter(work_group__in=ids, status__in=TAKEN_PLACE_STATUSES)
        .order_by()
        .values("work_group")
        .annotate(n=Sum("registration_count"))
        .values_list("work_group", "n")
    )
    participants = dict(people) if ids else {}
    for group in rows:
        group.schools = group.taken_count
        group.participants = participants.get(group.pk, 0)
        group.next_session = None
        group.attendance_missing = group.records_missing = 0
        evaluation = getattr(group, "evaluation", None)
        group.evaluation_status = evaluation.status if evaluation else None
    by_id = {group.pk: group for group in rows}
    for group_id, starts_at, ends_at, has_marks, has_record in sessions if ids else ():
        group = by_id[group_id]
        if starts_at >= now and group.next_session is None:
            group.next_session = starts_at
        if ends_at <= now:
            group.attendance_missing += not has_marks
            group.records_missing += not has_record
    return rows


def sessions_with_progress(group: WorkGroup) -> QuerySet[Session]:
    """The group's sessions, each with its number of attendance marks and its record."""
    marks = Attendance.objects.filter(session=OuterRef("pk"))
    return (
        group.sessions.select_related("record")
        .annotate(marks=count_of(marks, "session"))
        .annotate(
            responses=count_of(
                GapTaskResponse.objects.filter(session_record__session=OuterRef("pk")),
                "session_record",
            )
        )
        .order_by("starts_at", "number")
    )


def evaluation_figures(group: WorkGroup) -> dict:
    """What the system already knows about the group's year, for the evaluation page."""
    now = timezone.now()
    held_marks = Attendance.objects.filter(
        session__work_group=OuterRef("pk"), session__cancelled=False, session__ends_at__lte=now
    )
    row = (
        with_roster_counts(WorkGroup.objects.filter(pk=group.pk))
        .annotate(
            sessions_held=count_of(_held_sessions(now)),
            marks=count_of(held_marks, "session__work_group"),
            attended=count_of(
                held_marks.filter(status__in=ATTENDED_STATUSES), "session__work_group"
            ),
            tasks_set=count_of(
                SessionRecord.objects.filter(session__work_group=OuterRef("pk")).exclude(
                    gap_task=""
                ),
                "session__work_group",
            ),
            gap_responses=count_of(
                GapTaskResponse.objects.filter(session_record__session__work_group=OuterRef("pk")),
                "session_record__session__work_group",
            ),
        )
        .values(
            "schools",
            "participants",
            "sessions_held",
            "marks",
            "attended",
            "tasks_set",
            "gap_responses",
        )
        .get()
    )
    row["attendance_rate"] = round(100 * row["attended"] / row["marks"]) if row["marks"] else None
    return row
