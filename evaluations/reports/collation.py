"""Collate one report's figures with a fixed number of aggregate queries.

Every figure is counted by the database (``values()`` + ``annotate()``/``aggregate()`` with
conditional ``Count``), grouped by hub, region, phase, role or outcome area, so a report issues
the same queries for 2 groups or 2,000. Python only merges the grouped rows and shapes them into
the JSON stored on ``NationalReport.figures``; pages and exports read that JSON and never
count again.

Definitions, stated on the report page too:

- *Schools with a confirmed place*: schools whose place is confirmed or completed.
  *Schools that completed* (``Place.status == completed``) are what counts as engagement.
- *Participants*: people with an active registration in a confirmed or completed place.
- *More disadvantaged pupils*: a school whose free school meals percentage is above the median
  of every open school in the database with a known figure.
- *Sessions held*: sessions that have started by the time of collation and were not cancelled.
  *Attendance rate*: present or late marks over all marks at sessions held.
- *Gap tasks set*: session records with a between-session task; *completed*: teachers'
  responses to them.
- Impact ratings, evidence and findings come from **signed-off** evaluations only: the hub has
  checked them. *Expected* evaluations are groups that are running or completed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from evaluations.models import (
    EvaluationStatus,
    ImpactRating,
    NationalReport,
    OutcomeEvaluation,
    ReportStatus,
    WorkGroupEvaluation,
)
from evaluations.reports import themes
from participants.models import Hub, School, SchoolPhase
from projects.models import AcademicYear, OutcomeArea, Project
from workgroups.models import (
    ATTENDED_STATUSES,
    LIVE_GROUP_STATUSES,
    TAKEN_PLACE_STATUSES,
    UNDER_WAY_GROUP_STATUSES,
    Attendance,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionRecord,
    WorkGroup,
    WorkGroupStatus,
)

SCHEMA_VERSION = 1
# Lower edges of the attendance buckets, in per cent; each bucket runs to the next edge.
DASH = "\N{EN DASH}"
ATTENDANCE_BUCKETS = [
    (0, "Under 50%"),
    (50, f"50{DASH}69%"),
    (70, f"70{DASH}79%"),
    (80, f"80{DASH}89%"),
    (90, f"90{DASH}100%"),
]
UNKNOWN = "Not recorded"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Scope:
    """What a report covers: a project in a year, nationally or for one hub."""

    project: Project
    year: AcademicYear
    hub: Hub | None = None

    def q(self, path: str = "") -> Q:
        """Rows whose group (reached through ``path``, e.g. ``session__``) is in scope."""
        q = Q(**{f"{path}project": self.project, f"{path}academic_year": self.year})
        return q & Q(**{f"{path}hub": self.hub}) if self.hub else q


def collate(scope: Scope, *, now: datetime.datetime, on_progress: Progress) -> dict:
    """All of a report's figures, as JSON-ready data; ``on_progress`` hears each stage's end."""
    areas = list(scope.project.outcome_areas.order_by("order")) or list(OutcomeArea.objects.all())
    groups = _group_rows(scope)
    on_progress(15)
    reach = _reach(scope, groups)
    on_progress(35)
    engagement = _engagement(scope, groups, now)
    on_progress(55)
    outcomes = _outcomes(scope, groups, areas)
    on_progress(70)
    findings = _findings(scope, areas)
    on_progress(85)
    headline = _headline(reach, engagement, outcomes)
    figures = {
        "schema": SCHEMA_VERSION,
        "scope": _scope_figures(scope),
        "as_of": now.isoformat(),
        "headline": headline,
        "reach": reach,
        "engagement": engagement,
        "outcomes": outcomes,
        "findings": findings,
        "comparison": _comparison(scope, headline),
    }
    on_progress(95)
    return figures


def _scope_figures(scope: Scope) -> dict:
    hub = {"id": scope.hub.pk, "name": scope.hub.name} if scope.hub else None
    project = scope.project
    return {
        "project": {"id": project.pk, "code": project.code, "title": project.title},
        "year": {"id": scope.year.pk, "label": scope.year.label},
        "hub": hub,
    }


def _group_rows(scope: Scope) -> list[dict]:
    """One row per hub: its groups by status and its evaluations by status (one query)."""
    evaluation = "evaluation__status"
    submitted = [EvaluationStatus.SUBMITTED, EvaluationStatus.SIGNED_OFF]
    rows = (
        WorkGroup.objects.filter(scope.q())
        .values("hub_id", hub_name=F("hub__name"), region=F("hub__region__name"))
        .annotate(
            total=Count("pk"),
            reaching=Count("pk", filter=Q(status__in=LIVE_GROUP_STATUSES)),
            running=Count("pk", filter=Q(status=WorkGroupStatus.RUNNING)),
            completed=Count("pk", filter=Q(status=WorkGroupStatus.COMPLETED)),
            cancelled=Count("pk", filter=Q(status=WorkGroupStatus.CANCELLED)),
            expected=Count("pk", filter=Q(status__in=UNDER_WAY_GROUP_STATUSES)),
            submitted=Count("pk", filter=Q(**{f"{evaluation}__in": submitted})),
            signed_off=Count("pk", filter=Q(**{evaluation: EvaluationStatus.SIGNED_OFF})),
            returned=Count("pk", filter=Q(**{evaluation: EvaluationStatus.RETURNED})),
        )
        .order_by("hub__name")
    )
    return list(rows)


def _place_counts(scope: Scope, median: Decimal | None) -> dict[str, Count]:
    taken = Q(status__in=TAKEN_PLACE_STATUSES)
    counts = {
        "schools_confirmed": Count("school", distinct=True, filter=taken),
        "schools_completed": Count("school", distinct=True, filter=Q(status=PlaceStatus.COMPLETED)),
        "participants": Count(
            "registrations__user",
            distinct=True,
            filter=taken & Q(registrations__status=RegistrationStatus.ACTIVE),
        ),
    }
    if median is not None:
        known = taken & Q(school__fsm_percentage__isnull=False)
        counts["schools_fsm_known"] = Count("school", distinct=True, filter=known)
        counts["schools_above_median"] = Count(
            "school", distinct=True, filter=taken & Q(school__fsm_percentage__gt=median)
        )
    return counts


def _places_by(scope: Scope, key: str) -> dict:
    """Schools and participants grouped by ``key`` (one query)."""
    rows = (
        Place.objects.filter(scope.q("work_group__"))
        .values(key=F(key))
        .annotate(**_place_counts(scope, None))
        .order_by()
    )
    return {row.pop("key"): row for row in rows}


def national_fsm_median() -> Decimal | None:
    """The median free school meals % of open schools with a figure (two small queries)."""
    known = School.objects.open().filter(fsm_percentage__isnull=False)
    count = known.count()
    if not count:
        return None
    middle = list(
        known.order_by("fsm_percentage").values_list("fsm_percentage", flat=True)[
            (count - 1) // 2 : count // 2 + 1
        ]
    )
    return sum(middle) / len(middle)


def _reach(scope: Scope, groups: list[dict]) -> dict:
    median = national_fsm_median()
    totals = Place.objects.filter(scope.q("work_group__")).aggregate(**_place_counts(scope, median))
    by_hub = _places_by(scope, "work_group__hub_id")
    by_region = _places_by(scope, "school__region__name")
    by_phase = _places_by(scope, "school__phase")
    roles = (
        Registration.objects.filter(
            scope.q("work_group__"),
            status=RegistrationStatus.ACTIVE,
            place__status__in=TAKEN_PLACE_STATUSES,
        )
        .values(label=F("role__name"), order=F("role__order"))
        .annotate(count=Count("user", distinct=True))
        .order_by("order", "label")
    )
    phases = dict(SchoolPhase.choices)
    return {
        "hubs": sum(1 for row in groups if row["reaching"]),
        "groups": _group_totals(groups),
        "schools": {
            "confirmed": totals["schools_confirmed"],
            "completed": totals["schools_completed"],
        },
        "participants": {
            "total": totals["participants"],
            "by_role": [{"label": row["label"], "count": row["count"]} for row in roles],
        },
        "by_hub": [_hub_reach(row, by_hub.get(row["hub_id"], {})) for row in groups],
        "by_region": _labelled(by_region, lambda key: key or UNKNOWN),
        "by_phase": _labelled(by_phase, lambda key: phases.get(key, key or UNKNOWN)),
        "disadvantage": _disadvantage(totals, median),
    }


def _group_totals(groups: list[dict]) -> dict:
    keys = ["total", "running", "completed", "cancelled"]
    return {key: sum(row[key] for row in groups) for key in keys}


def _hub_reach(group_row: dict, places: dict) -> dict:
    return {
        "hub": group_row["hub_name"],
        "region": group_row["region"],
        "groups": group_row["total"],
        "groups_completed": group_row["completed"],
        "groups_cancelled": group_row["cancelled"],
        "schools_confirmed": places.get("schools_confirmed", 0),
        "schools_completed": places.get("schools_completed", 0),
        "participants": places.get("participants", 0),
    }


def _labelled(rows: dict, label: Callable) -> list[dict]:
    out = [{"label": label(key), **counts} for key, counts in rows.items()]
    return sorted(out, key=lambda row: (-row["schools_confirmed"], row["label"]))


def _disadvantage(totals: dict, median: Decimal | None) -> dict:
    known = totals.get("schools_fsm_known", 0)
    above = totals.get("schools_above_median", 0)
    return {
        "national_median_fsm": float(median) if median is not None else None,
        "schools_with_fsm": known,
        "schools_above_median": above,
        "share": _percent(above, known),
        "method": (
            "Schools with a confirmed or completed place whose free school meals percentage "
            "is above the median of all open schools in the database with a known figure."
        ),
    }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _engagement(scope: Scope, groups: list[dict], now: datetime.datetime) -> dict:
    held = Q(cancelled=False, starts_at__lt=now)
    sessions = dict(
        Session.objects.filter(scope.q("work_group__"), held)
        .values_list("work_group__hub_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    marks = list(
        Attendance.objects.filter(
            scope.q("session__work_group__"), session__cancelled=False, session__starts_at__lt=now
        )
        .values(group=F("session__work_group_id"), hub=F("session__work_group__hub_id"))
        .annotate(marks=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES)))
        .order_by()
    )
    gap = {
        row.pop("hub"): row
        for row in SessionRecord.objects.filter(scope.q("session__work_group__"))
        .exclude(gap_task="")
        .values(hub=F("session__work_group__hub_id"))
        .annotate(set=Count("pk", distinct=True), responses=Count("responses"))
        .order_by()
    }
    return _engagement_figures(groups, sessions, marks, gap)


def _engagement_figures(groups, sessions, marks, gap) -> dict:
    by_hub_marks: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in marks:
        by_hub_marks[row["hub"]][0] += row["marks"]
        by_hub_marks[row["hub"]][1] += row["attended"]
    total_marks = sum(row["marks"] for row in marks)
    total_attended = sum(row["attended"] for row in marks)
    by_hub = []
    for row in groups:
        hub_marks, hub_attended = by_hub_marks.get(row["hub_id"], (0, 0))
        hub_gap = gap.get(row["hub_id"], {})
        by_hub.append(
            {
                "hub": row["hub_name"],
                "sessions_held": sessions.get(row["hub_id"], 0),
                "marks": hub_marks,
                "attended": hub_attended,
                "attendance_rate": _percent(hub_attended, hub_marks),
                "gap_tasks_set": hub_gap.get("set", 0),
                "gap_task_responses": hub_gap.get("responses", 0),
            }
        )
    return {
        "sessions_held": sum(sessions.values()),
        "attendance": {
            "marks": total_marks,
            "attended": total_attended,
            "rate": _percent(total_attended, total_marks),
        },
        "attendance_distribution": _attendance_buckets(marks),
        "gap_tasks": {
            "set": sum(row["set"] for row in gap.values()),
            "responses": sum(row["responses"] for row in gap.values()),
        },
        "by_hub": by_hub,
    }


def _attendance_buckets(marks: list[dict]) -> list[dict]:
    """How many groups' attendance rates fall in each bucket (groups with marks only)."""
    counts = [0] * len(ATTENDANCE_BUCKETS)
    for row in marks:
        if not row["marks"]:
            continue
        rate = 100 * row["attended"] / row["marks"]
        index = max(i for i, (edge, _) in enumerate(ATTENDANCE_BUCKETS) if rate >= edge)
        counts[index] += 1
    return [
        {"label": label, "groups": count}
        for (_, label), count in zip(ATTENDANCE_BUCKETS, counts, strict=True)
    ]


def _signed_off_outcomes(scope: Scope, areas: list[OutcomeArea]) -> QuerySet:
    return OutcomeEvaluation.objects.filter(
        scope.q("evaluation__work_group__"),
        evaluation__status=EvaluationStatus.SIGNED_OFF,
        area__in=areas,
    )


def _outcomes(scope: Scope, groups: list[dict], areas: list[OutcomeArea]) -> dict:
    rows = (
        _signed_off_outcomes(scope, areas)
        .values("area_id", "rating", hub=F("evaluation__work_group__hub_id"))
        .annotate(n=Count("pk"), evidenced=Count("pk", filter=~Q(evidence="")))
        .order_by()
    )
    hub_names = {row["hub_id"]: row["hub_name"] for row in groups}
    tally: dict[int, dict] = {area.pk: _empty_tally() for area in areas}
    for row in rows:
        _add_to_tally(tally[row["area_id"]], row, hub_names.get(row["hub"], UNKNOWN))
    return {
        "areas": [_area_figures(area, tally[area.pk]) for area in areas],
        "evaluations": _evaluation_counts(groups),
        "evaluations_by_hub": [
            {"hub": row["hub_name"], **_evaluation_counts([row])} for row in groups
        ],
    }


def _empty_tally() -> dict:
    return {"ratings": defaultdict(int), "evidenced": 0, "by_hub": {}}


def _add_to_tally(tally: dict, row: dict, hub_name: str) -> None:
    rating = row["rating"] or 0  # 0: not rated
    tally["ratings"][rating] += row["n"]
    tally["evidenced"] += row["evidenced"]
    hub = tally["by_hub"].setdefault(hub_name, {"ratings": defaultdict(int), "evidenced": 0})
    hub["ratings"][rating] += row["n"]
    hub["evidenced"] += row["evidenced"]


def _rating_list(counts: dict) -> list[dict]:
    return [
        {"rating": int(value), "label": label, "count": counts.get(value, 0)}
        for value, label in ImpactRating.choices
    ]


def _area_figures(area: OutcomeArea, tally: dict) -> dict:
    rated = sum(count for rating, count in tally["ratings"].items() if rating)
    total = sum(rating * count for rating, count in tally["ratings"].items() if rating)
    return {
        "code": area.code,
        "name": area.name,
        "ratings": _rating_list(tally["ratings"]),
        "rated": rated,
        "not_rated": tally["ratings"].get(0, 0),
        "mean_rating": round(total / rated, 2) if rated else None,
        "groups_with_evidence": tally["evidenced"],
        "by_hub": [
            {
                "hub": hub,
                "ratings": [row["count"] for row in _rating_list(counts["ratings"])],
                "groups_with_evidence": counts["evidenced"],
            }
            for hub, counts in sorted(tally["by_hub"].items())
        ],
    }


def _evaluation_counts(groups: list[dict]) -> dict:
    keys = ["expected", "submitted", "signed_off", "returned"]
    return {key: sum(row[key] for row in groups) for key in keys}


def _findings(scope: Scope, areas: list[OutcomeArea]) -> dict:
    evaluations = (
        WorkGroupEvaluation.objects.filter(
            scope.q("work_group__"), status=EvaluationStatus.SIGNED_OFF
        )
        .order_by("work_group__hub__name", "work_group__name")
        .values(
            "key_findings",
            "recommendations",
            group=F("work_group__name"),
            hub=F("work_group__hub__name"),
        )
    )
    evidence = (
        _signed_off_outcomes(scope, areas)
        .exclude(evidence="")
        .order_by("evaluation__work_group__hub__name", "evaluation__work_group__name")
        .values(
            "area_id",
            "rating",
            "evidence",
            group=F("evaluation__work_group__name"),
            hub=F("evaluation__work_group__hub__name"),
        )
    )
    by_area: dict[int, list[dict]] = defaultdict(list)
    for row in evidence:
        by_area[row.pop("area_id")].append(row)
    documents = {
        area.code: [(row["group"], row["evidence"]) for row in by_area[area.pk]] for area in areas
    }
    area_themes = themes.distinctive_terms(documents)
    return {
        "groups": [
            {key: row[key] for key in ("group", "hub", "key_findings", "recommendations")}
            for row in evaluations
        ],
        "areas": [
            {
                "code": area.code,
                "name": area.name,
                "evidence": by_area[area.pk],
                "themes": area_themes[area.code],
            }
            for area in areas
        ],
        "themes_method": themes.METHOD,
    }


HEADLINE = [
    ("hubs", "Hubs taking part", ""),
    ("groups", "Groups", ""),
    ("groups_completed", "Groups completed", ""),
    ("groups_cancelled", "Groups cancelled", ""),
    ("schools_confirmed", "Schools with a confirmed place", ""),
    ("schools_completed", "Schools that completed", ""),
    ("participants", "Participants", ""),
    ("disadvantaged_share", "Schools with more disadvantaged pupils", "%"),
    ("sessions_held", "Sessions held", ""),
    ("attendance_rate", "Attendance rate", "%"),
    ("gap_tasks_set", "Gap tasks set", ""),
    ("gap_task_responses", "Gap task responses", ""),
    ("evaluations_expected", "Evaluations expected", ""),
    ("evaluations_submitted", "Evaluations submitted", ""),
    ("evaluations_signed_off", "Evaluations signed off", ""),
]


def _headline(reach: dict, engagement: dict, outcomes: dict) -> list[dict]:
    values = {
        "hubs": reach["hubs"],
        "groups": reach["groups"]["total"],
        "groups_completed": reach["groups"]["completed"],
        "groups_cancelled": reach["groups"]["cancelled"],
        "schools_confirmed": reach["schools"]["confirmed"],
        "schools_completed": reach["schools"]["completed"],
        "participants": reach["participants"]["total"],
        "disadvantaged_share": reach["disadvantage"]["share"],
        "sessions_held": engagement["sessions_held"],
        "attendance_rate": engagement["attendance"]["rate"],
        "gap_tasks_set": engagement["gap_tasks"]["set"],
        "gap_task_responses": engagement["gap_tasks"]["responses"],
        "evaluations_expected": outcomes["evaluations"]["expected"],
        "evaluations_submitted": outcomes["evaluations"]["submitted"],
        "evaluations_signed_off": outcomes["evaluations"]["signed_off"],
    }
    return [
        {"key": key, "label": label, "value": values[key], "unit": unit}
        for key, label, unit in HEADLINE
    ]


def _comparison(scope: Scope, headline: list[dict]) -> dict | None:
    """Deltas against the previous academic year's current report of the same scope."""
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
