"""A hub's projects side by side, each beside the nation, from the current stored reports."""

from __future__ import annotations

from django.db.models import F, Q

from evaluations.models import NationalReport, ReportStatus
from participants.models import Hub
from projects.models import AcademicYear

# The headline figures a hub's page puts side by side: (key, column heading, unit).
MEASURES = [
    ("groups", "Groups", ""),
    ("schools", "Schools taking part", ""),
    ("schools_completed", "Schools completed", ""),
    ("school_completion_rate", "Completion rate: schools", "%"),
    ("participants", "Participants", ""),
    ("people_completion_rate", "Completion rate: participants", "%"),
    ("attendance_rate", "Attendance", "%"),
    ("evaluations_signed_off", "Evaluations signed off", ""),
    ("evaluations_expected", "Evaluations expected", ""),
]


def projects_side_by_side(hub: Hub, year: AcademicYear) -> list[dict]:
    """One row per project the hub has a current report of in ``year``, with the national
    figure beside each of the hub's (one query)."""
    reports = (
        NationalReport.objects.versions()
        .filter(Q(hub=hub) | Q(hub__isnull=True), academic_year=year, is_current=True)
        .filter(status=ReportStatus.DONE)
        .values(
            "pk",
            "hub_id",
            "project_id",
            "figures__headline",
            title=F("project__title"),
            code=F("project__code"),
        )
        .order_by("project__title")
    )
    national, own = {}, []
    for report in reports:
        if report["hub_id"] is None:
            national[report["project_id"]] = report
        else:
            own.append(report)
    return [_row(report, national.get(report["project_id"])) for report in own]


def _values(report: dict | None) -> dict:
    if report is None:
        return {}
    return {row["key"]: row["value"] for row in report["figures__headline"] or []}


def _row(report: dict, national: dict | None) -> dict:
    mine, nation = _values(report), _values(national)
    return {
        "title": report["title"],
        "code": report["code"],
        "report_id": report["pk"],
        "national_report_id": national["pk"] if national else None,
        "measures": [
            {"key": key, "label": label, "unit": unit, "hub": mine.get(key),
             "national": nation.get(key)}
            for key, label, unit in MEASURES
        ],
    }  # fmt: skip
