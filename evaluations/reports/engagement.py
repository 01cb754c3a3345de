"""Sessions, attendance and between-session tasks of the groups in the counts.

Attendance counts every mark at a held session (begun, not cancelled): present and late are
attendance; apologies and absence are shown apart, so a group whose teachers sent apologies is
not read as one whose teachers did not turn up.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q

from evaluations.reports.scope import DASH, Scope, percent
from workgroups.models import Attendance, AttendanceStatus, Session, SessionRecord

# Lower edges of the attendance buckets, in per cent; each bucket runs to the next edge.
ATTENDANCE_BUCKETS = [
    (0, "Under 50%"),
    (50, f"50{DASH}69%"),
    (70, f"70{DASH}79%"),
    (80, f"80{DASH}89%"),
    (90, f"90{DASH}100%"),
]
MARKS = [status.value for status in AttendanceStatus]


def collate(scope: Scope) -> dict:
    sessions = {
        row.pop("hub"): row
        for row in Session.objects.filter(scope.counted("work_group__"))
        .values(hub=F("work_group__hub_id"))
        .annotate(
            held_count=Count("pk", filter=scope.held()),
            cancelled_count=Count("pk", filter=Q(cancelled=True)),
            to_come_count=Count("pk", filter=Q(cancelled=False, starts_at__gte=scope.now)),
        )
        .order_by()
    }
    marks = list(
        Attendance.objects.filter(scope.counted("session__work_group__"), scope.held("session__"))
        .values(group=F("session__work_group_id"), hub=F("session__work_group__hub_id"))
        .annotate(
            marks=Count("pk"),
            **{status: Count("pk", filter=Q(status=status)) for status in MARKS},
        )
        .order_by()
    )
    gap = {
        row.pop("hub"): row
        for row in SessionRecord.objects.filter(scope.counted("session__work_group__"))
        .exclude(gap_task="")
        .values(hub=F("session__work_group__hub_id"))
        .annotate(set=Count("pk", distinct=True), responses=Count("responses"))
        .order_by()
    }
    return _figures(sessions, marks, gap)


def attendance(counts: dict) -> dict:
    """Marks by status, with the shares of all marks that were attendance, apologies and
    absence (present and late are attendance)."""
    total = counts.get("marks", 0)
    present = {status: counts.get(status, 0) for status in MARKS}
    attended = present["present"] + present["late"]
    return {
        "marks": total,
        **present,
        "attended": attended,
        "rate": percent(attended, total),
        "apologies_rate": percent(present["apologies"], total),
        "absence_rate": percent(present["absent"], total),
    }


def _figures(sessions: dict, marks: list[dict], gap: dict) -> dict:
    by_hub_marks: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for row in marks:
        for key in ("marks", *MARKS):
            by_hub_marks[row["hub"]][key] += row[key]
            totals[key] += row[key]
    hubs = sessions.keys() | by_hub_marks.keys() | gap.keys()
    by_hub = {
        hub: {
            "sessions_held": sessions.get(hub, {}).get("held_count", 0),
            "sessions_cancelled": sessions.get(hub, {}).get("cancelled_count", 0),
            "attendance": attendance(by_hub_marks.get(hub, {})),
            "gap_tasks_set": gap.get(hub, {}).get("set", 0),
            "gap_task_responses": gap.get(hub, {}).get("responses", 0),
        }
        for hub in hubs
    }
    return {
        "sessions": {
            key: sum(row[f"{key}_count"] for row in sessions.values())
            for key in ("held", "cancelled", "to_come")
        },
        "attendance": attendance(totals),
        "attendance_distribution": _buckets(marks),
        "gap_tasks": {
            "set": sum(row["set"] for row in gap.values()),
            "responses": sum(row["responses"] for row in gap.values()),
        },
        "by_hub_id": by_hub,
    }


def _buckets(marks: list[dict]) -> list[dict]:
    """How many groups' attendance rates fall in each bucket (groups with marks only)."""
    counts = [0] * len(ATTENDANCE_BUCKETS)
    for row in marks:
        if not row["marks"]:
            continue
        rate = 100 * (row["present"] + row["late"]) / row["marks"]
        index = max(i for i, (edge, _) in enumerate(ATTENDANCE_BUCKETS) if rate >= edge)
        counts[index] += 1
    return [
        {"label": label, "groups": count}
        for (_, label), count in zip(ATTENDANCE_BUCKETS, counts, strict=True)
    ]
