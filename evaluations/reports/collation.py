"""Collate one report's figures with a fixed number of aggregate queries.

Every figure is counted by the database (``values()`` + ``annotate()``/``aggregate()`` with
conditional ``Count``), grouped by hub, region, phase, role, month or outcome area, so a report
issues the same queries for 2 groups or 2,000. Python only merges the grouped rows and shapes
them into the JSON stored on ``NationalReport.figures``; pages and exports read that JSON and
never count again. What each figure means is in ``definitions`` and printed on the report.

The parts: ``participation`` (schools and people), ``engagement`` (sessions and attendance),
``outcomes`` (groups, evaluations, ratings, findings, milestones) and ``themes``.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import F
from django.utils import timezone

from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import engagement, outcomes, participation, themes
from evaluations.reports.scope import Progress, Scope, percent
from projects.models import AcademicYear, OutcomeArea
from surveys.impact import impact_for

SCHEMA_VERSION = 2
THEME_SOURCES = [("key_findings", "Key findings"), ("recommendations", "Recommendations")]


def collate(scope: Scope, *, on_progress: Progress, now: datetime.datetime | None = None) -> dict:
    """All of a report's figures as at ``now`` (or the scope's time, or this moment), as
    JSON-ready data; ``on_progress`` hears each stage's end."""
    scope = dataclasses.replace(scope, now=now or scope.now or timezone.now())
    areas = list(scope.project.outcome_areas.order_by("order")) or list(OutcomeArea.objects.all())
    groups = outcomes.group_rows(scope)
    on_progress(15)
    people = participation.collate(scope)
    on_progress(35)
    activity = engagement.collate(scope)
    on_progress(55)
    area_ratings = outcomes.ratings(scope, areas)
    found = outcomes.findings(scope, areas)
    milestones = outcomes.milestones(scope)
    on_progress(70)
    recurring = _themes(found)
    on_progress(85)
    figures = {
        "schema": SCHEMA_VERSION,
        "scope": _scope_figures(scope),
        "as_of": scope.now.isoformat(),
        "groups": _group_figures(groups, outcomes.cancelled_groups(scope)),
        "reach": _reach(groups, people),
        "engagement": {key: value for key, value in activity.items() if key != "by_hub_id"},
        "evaluations": outcomes.evaluation_counts(groups),
        "outcomes": {
            "areas": [
                {key: value for key, value in area.items() if key != "by_hub_id"}
                for area in area_ratings
            ],
            "signed_off": len(found["groups"]),
        },
        "milestones": _without_hubs(milestones),
        "hubs": _hub_rows(groups, people, activity, area_ratings, milestones),
        "findings": {**found, "themes": recurring, "themes_method": themes.METHOD},
    }
    # Participants' surveys: paired change from start to end per outcome area.
    figures["impact"] = impact_for(
        scope.project, scope.year, scope.hub, today=timezone.localdate(scope.now)
    )
    figures["headline"] = headline(figures)
    figures["comparison"] = _comparison(scope, figures["headline"])
    on_progress(95)
    return figures


def _scope_figures(scope: Scope) -> dict:
    hub = scope.hub
    project = scope.project
    return {
        "project": {
            "id": project.pk,
            "code": project.code,
            "title": project.title,
            "activity_type": project.activity_type,
        },
        "year": {"id": scope.year.pk, "label": scope.year.label},
        "hub": {"id": hub.pk, "name": hub.name} if hub else None,
    }


def _group_figures(rows: list[dict], cancelled: list[dict]) -> dict:
    keys = ["groups", "recruiting", "running", "completed", "cancelled", "drafts"]
    return {**{key: sum(row[key] for row in rows) for key in keys}, "cancelled_list": cancelled}


def _reach(groups: list[dict], people: dict) -> dict:
    totals = participation.with_rates(people["totals"])
    return {
        "hubs": sum(1 for row in groups if row["groups"]),
        "totals": totals,
        "by_role": people["by_role"],
        "by_region": people["by_region"],
        "by_phase": people["by_phase"],
        "withdrawals_by_month": people["withdrawals_by_month"],
        "disadvantage": people["disadvantage"],
    }


def _without_hubs(milestones: dict | None) -> dict | None:
    if milestones is None:
        return None
    return {key: value for key, value in milestones.items() if key != "by_hub_id"}


def _hub_rows(groups, people, activity, area_ratings, milestones) -> list[dict]:
    """One row per hub with groups in the counts: every figure the report breaks down by hub."""
    rows = []
    empty_people = participation.with_rates(
        dict.fromkeys([*participation.school_counts(), *participation.people_counts()], 0)
    )
    for row in groups:
        if not row["groups"]:
            continue
        hub = row["hub_id"]
        counted = people["by_hub_id"].get(hub)
        rows.append(
            {
                "hub_id": hub,
                "hub": row["hub_name"],
                "region": row["region"],
                **{key: row[key] for key in ("groups", "recruiting", "running", "completed")},
                "cancelled": row["cancelled"],
                **(participation.with_rates(counted) if counted else empty_people),
                **_hub_activity(activity["by_hub_id"].get(hub)),
                "evaluations": outcomes.evaluation_counts([row]),
                "areas": [_hub_area(area, hub) for area in area_ratings],
                "milestones": (milestones or {}).get("by_hub_id", {}).get(hub),
            }
        )
    return rows


def _hub_activity(activity: dict | None) -> dict:
    activity = activity or {}
    return {
        "sessions_held": activity.get("sessions_held", 0),
        "sessions_cancelled": activity.get("sessions_cancelled", 0),
        "attendance": activity.get("attendance") or engagement.attendance({}),
        "gap_tasks_set": activity.get("gap_tasks_set", 0),
        "gap_task_responses": activity.get("gap_task_responses", 0),
    }


def _hub_area(area: dict, hub: int) -> dict:
    counts = area["by_hub_id"].get(hub)
    if counts is None:
        return {"code": area["code"], "name": area["name"], "rated": 0, "not_rated": 0,
                "mean_rating": None, "groups_with_evidence": 0,
                "ratings": [{**r, "count": 0} for r in area["ratings"]]}  # fmt: skip
    return {"code": area["code"], "name": area["name"], **counts}


def _themes(found: dict) -> list[dict]:
    sources: dict[str, list[tuple[int, str]]] = {}
    labels = {}
    for area in found["areas"]:
        key = f"area:{area['code']}"
        labels[key] = area["name"]
        sources[key] = [(row["group_id"], row["evidence"]) for row in area["evidence"]]
    for key, label in THEME_SOURCES:
        labels[key] = label
        sources[key] = [(row["group_id"], row[key]) for row in found["groups"] if row[key]]
    hub_of = {row["group_id"]: row["hub_id"] for row in found["groups"]}
    recurring = themes.find(sources, hub_of=hub_of)
    return [
        {"source": key, "label": labels[key], "documents": len(sources[key]),
         "themes": recurring[key]}
        for key in sources
    ]  # fmt: skip


# The headline -------------------------------------------------------------------------------

HEADLINE = [
    ("hubs", "Hubs taking part", ""),
    ("groups", "Groups (not counting cancelled ones)", ""),
    ("groups_completed", "Groups completed", ""),
    ("groups_running", "Groups still running", ""),
    ("groups_cancelled", "Groups cancelled (outside the counts)", ""),
    ("schools", "Schools taking part", ""),
    ("schools_completed", "Schools that completed", ""),
    ("school_completion_rate", "Completion rate: schools", "%"),
    ("participants", "Participants (everyone who took part)", ""),
    ("people_completed", "Participants who completed", ""),
    ("people_completion_rate", "Completion rate: participants", "%"),
    ("schools_withdrawn", "Schools that withdrew", ""),
    ("people_withdrawn", "Participants who withdrew", ""),
    ("disadvantaged_share", "Schools with more disadvantaged pupils", "%"),
    ("sessions_held", "Sessions held", ""),
    ("attendance_rate", "Attendance", "%"),
    ("apologies_rate", "Apologies", "%"),
    ("absence_rate", "Absence without apologies", "%"),
    ("gap_tasks_set", "Gap tasks set", ""),
    ("gap_task_responses", "Gap task responses", ""),
    ("evaluations_expected", "Evaluations expected (completed groups)", ""),
    ("evaluations_signed_off", "Evaluations signed off", ""),
    ("evaluations_awaiting", "Evaluations awaiting sign-off", ""),
    ("evaluations_returned", "Evaluations returned for changes", ""),
]
MILESTONE_HEADLINE = [
    ("milestones", "Action plan milestones", ""),
    ("milestones_achieved_rate", "Milestones achieved", "%"),
    ("milestones_overdue", "Milestones overdue", ""),
]


def headline(figures: dict) -> list[dict]:
    reach, activity = figures["reach"]["totals"], figures["engagement"]
    groups, evaluations = figures["groups"], figures["evaluations"]
    values = {
        "hubs": figures["reach"]["hubs"],
        "groups": groups["groups"],
        "groups_completed": groups["completed"],
        "groups_running": groups["running"],
        "groups_cancelled": groups["cancelled"],
        **{key: reach[key] for key in ("schools", "schools_completed", "participants")},
        "school_completion_rate": reach["school_completion_rate"],
        "people_completed": reach["people_completed"],
        "people_completion_rate": reach["people_completion_rate"],
        "schools_withdrawn": reach["schools_withdrawn"],
        "people_withdrawn": reach["people_withdrawn"],
        "disadvantaged_share": figures["reach"]["disadvantage"]["share"],
        "sessions_held": activity["sessions"]["held"],
        "attendance_rate": activity["attendance"]["rate"],
        "apologies_rate": activity["attendance"]["apologies_rate"],
        "absence_rate": activity["attendance"]["absence_rate"],
        "gap_tasks_set": activity["gap_tasks"]["set"],
        "gap_task_responses": activity["gap_tasks"]["responses"],
        "evaluations_expected": evaluations["expected"],
        "evaluations_signed_off": evaluations["signed_off"],
        "evaluations_awaiting": evaluations["awaiting"],
        "evaluations_returned": evaluations["returned"],
    }
    rows = HEADLINE
    milestones = figures.get("milestones")
    if milestones:
        values["milestones"] = milestones["total"]
        values["milestones_achieved_rate"] = percent(milestones["achieved"], milestones["total"])
        values["milestones_overdue"] = milestones["overdue"]
        rows = HEADLINE + MILESTONE_HEADLINE
    return [
        {"key": key, "label": label, "value": values[key], "unit": unit}
        for key, label, unit in rows
    ]


def _comparison(scope: Scope, headline: list[dict]) -> dict | None:
    """Changes since the previous academic year's current report of the same scope."""
    previous_year = (
        AcademicYear.objects.filter(starts_on__lt=scope.year.starts_on)
        .order_by("-starts_on")
        .values("pk")[:1]
    )
    previous = (
        NationalReport.objects.filter(
            project=scope.project,
            hub=scope.hub,
            academic_year=previous_year,
            is_current=True,
            status=ReportStatus.DONE,
        )
        .values("pk", "version", "figures__headline", year=F("academic_year__label"))
        .first()
    )
    if previous is None:
        return None
    before = {row["key"]: row["value"] for row in previous["figures__headline"] or []}
    rows = []
    for row in headline:
        old = before.get(row["key"])
        delta = None
        if row["value"] is not None and old is not None:
            delta = round(row["value"] - old, 1)
        rows.append({**row, "previous": old, "delta": delta})
    return {
        "report_id": previous["pk"],
        "version": previous["version"],
        "year": previous["year"],
        "rows": rows,
    }
