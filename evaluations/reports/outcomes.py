"""Groups and their evaluations, impact ratings, findings and Targeted Support milestones.

Evaluations are expected from groups that have completed; one group's may be signed off
early, while it still runs, and its ratings count. Ratings, evidence and findings come from
signed-off evaluations only (the hub has checked them) of groups in the counts.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from evaluations.models import (
    EvaluationStatus,
    ImpactRating,
    OutcomeEvaluation,
    WorkGroupEvaluation,
)
from evaluations.reports.scope import COUNTED_GROUP_STATUSES, Scope, percent
from projects.models import OutcomeArea
from workgroups.models import (
    OPEN_FOR_REGISTRATION,
    Milestone,
    MilestoneStatus,
    MilestoneTerm,
    WorkGroup,
    WorkGroupStatus,
)

EVALUATION = "evaluation__status"
COMPLETED = Q(status=WorkGroupStatus.COMPLETED)
RUNNING = Q(status=WorkGroupStatus.RUNNING)
EVALUATION_KEYS = ["expected", "signed_off", "awaiting", "returned", "draft", "not_started"]


def group_rows(scope: Scope) -> list[dict]:
    """One row per hub: its groups by status and its completed groups' evaluations by status."""
    rows = (
        WorkGroup.objects.filter(scope.q())
        .values("hub_id", hub_name=F("hub__name"), region=F("hub__region__name"))
        .annotate(
            groups=Count("pk", filter=Q(status__in=COUNTED_GROUP_STATUSES)),
            recruiting=Count("pk", filter=Q(status__in=OPEN_FOR_REGISTRATION)),
            running=Count("pk", filter=Q(status=WorkGroupStatus.RUNNING)),
            completed=Count("pk", filter=COMPLETED),
            cancelled=Count("pk", filter=Q(status=WorkGroupStatus.CANCELLED)),
            drafts=Count("pk", filter=Q(status=WorkGroupStatus.DRAFT)),
            expected=Count("pk", filter=COMPLETED),
            signed_off=_evaluations(EvaluationStatus.SIGNED_OFF),
            awaiting=_evaluations(EvaluationStatus.SUBMITTED),
            returned=_evaluations(EvaluationStatus.RETURNED),
            draft=_evaluations(EvaluationStatus.DRAFT),
            not_started=Count("pk", filter=COMPLETED & Q(evaluation__isnull=True)),
            signed_off_early=Count("pk", filter=RUNNING & _status(EvaluationStatus.SIGNED_OFF)),
        )
        .order_by("hub__name")
    )
    return list(rows)


def _status(status: str) -> Q:
    return Q(**{EVALUATION: status})


def _evaluations(status: str) -> Count:
    return Count("pk", filter=COMPLETED & _status(status))


def evaluation_counts(rows: list[dict]) -> dict:
    counts = {key: sum(row[key] for row in rows) for key in [*EVALUATION_KEYS, "signed_off_early"]}
    counts["signed_off_rate"] = percent(counts["signed_off"], counts["expected"])
    return counts


def cancelled_groups(scope: Scope) -> list[dict]:
    rows = (
        WorkGroup.objects.filter(scope.q(), status=WorkGroupStatus.CANCELLED)
        .values("name", "cancelled_at", group_id=F("pk"), hub_name=F("hub__name"))
        .annotate(
            schools=Count("places__school", distinct=True),
            people=Count("registrations__user", distinct=True),
        )
        .order_by("hub__name", "name", "pk")
    )
    out = []
    for row in rows:
        cancelled_at = row.pop("cancelled_at")
        on = timezone.localdate(cancelled_at).isoformat() if cancelled_at else None
        hub_name = row.pop("hub_name")
        out.append({**row, "hub": hub_name, "cancelled_on": on})
    return out


# Ratings and findings -----------------------------------------------------------------------


def _signed_off_outcomes(scope: Scope, areas: list[OutcomeArea]) -> QuerySet:
    return OutcomeEvaluation.objects.filter(
        scope.counted("evaluation__work_group__"),
        evaluation__status=EvaluationStatus.SIGNED_OFF,
        area__in=areas,
    )


def ratings(scope: Scope, areas: list[OutcomeArea]) -> list[dict]:
    rows = (
        _signed_off_outcomes(scope, areas)
        .values("area_id", "rating", hub=F("evaluation__work_group__hub_id"))
        .annotate(n=Count("pk"), evidenced=Count("pk", filter=~Q(evidence="")))
        .order_by()
    )
    tally: dict[int, dict] = {area.pk: _empty_tally() for area in areas}
    for row in rows:
        _add(tally[row["area_id"]], row)
    return [_area_figures(area, tally[area.pk]) for area in areas]


def _empty_tally() -> dict:
    return {"ratings": defaultdict(int), "evidenced": 0, "by_hub": {}}


def _add(tally: dict, row: dict) -> None:
    rating = row["rating"] or 0  # 0: not rated
    hub = tally["by_hub"].setdefault(row["hub"], {"ratings": defaultdict(int), "evidenced": 0})
    for counts in (tally, hub):
        counts["ratings"][rating] += row["n"]
        counts["evidenced"] += row["evidenced"]


def _rating_counts(counts: dict) -> list[dict]:
    return [
        {"rating": int(value), "label": label, "count": counts.get(value, 0)}
        for value, label in ImpactRating.choices
    ]


def _summary(counts: dict) -> dict:
    rated = sum(count for rating, count in counts["ratings"].items() if rating)
    total = sum(rating * count for rating, count in counts["ratings"].items() if rating)
    return {
        "ratings": _rating_counts(counts["ratings"]),
        "rated": rated,
        "not_rated": counts["ratings"].get(0, 0),
        "mean_rating": round(total / rated, 2) if rated else None,
        "groups_with_evidence": counts["evidenced"],
    }


def _area_figures(area: OutcomeArea, tally: dict) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        **_summary(tally),
        "by_hub_id": {hub: _summary(counts) for hub, counts in tally["by_hub"].items()},
    }


def findings(scope: Scope, areas: list[OutcomeArea]) -> dict:
    """Each signed-off group's findings and recommendations, and its evidence per area."""
    evaluations = (
        WorkGroupEvaluation.objects.filter(
            scope.counted("work_group__"), status=EvaluationStatus.SIGNED_OFF
        )
        .order_by("work_group__hub__name", "work_group__name", "work_group_id")
        .values(
            "key_findings",
            "recommendations",
            group_id=F("work_group_id"),
            group=F("work_group__name"),
            hub_id=F("work_group__hub_id"),
            hub=F("work_group__hub__name"),
        )
    )
    evidence = (
        _signed_off_outcomes(scope, areas)
        .exclude(evidence="")
        .order_by(
            "evaluation__work_group__hub__name",
            "evaluation__work_group__name",
            "evaluation__work_group_id",
        )
        .values(
            "area_id",
            "rating",
            "evidence",
            group_id=F("evaluation__work_group_id"),
            group=F("evaluation__work_group__name"),
            hub_id=F("evaluation__work_group__hub_id"),
            hub=F("evaluation__work_group__hub__name"),
        )
    )
    by_area: dict[int, list[dict]] = defaultdict(list)
    for row in evidence:
        by_area[row.pop("area_id")].append(row)
    return {
        "groups": list(evaluations),
        "areas": [
            {"code": area.code, "name": area.name, "evidence": by_area[area.pk]} for area in areas
        ],
    }


# Targeted Support milestones ----------------------------------------------------------------

OPEN_MILESTONES = [MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS]
MILESTONE_STATUSES = [status.value for status in MilestoneStatus]


def milestones(scope: Scope) -> dict | None:
    """Action plans' milestones by term and status, with those overdue (due date passed and
    neither achieved nor closed as not achieved); ``None`` where no group has a plan."""
    today = timezone.localdate(scope.now)
    rows = Milestone.objects.filter(scope.counted("work_group__"))
    overdue = Q(due_on__lt=today, status__in=OPEN_MILESTONES)
    counts = list(
        rows.values("term", "status", hub=F("work_group__hub_id"))
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by()
    )
    if not counts:
        return None
    plans = dict(
        rows.values_list("work_group__hub_id")
        .annotate(n=Count("work_group", distinct=True))
        .order_by()
    )
    by_term = {term: _empty_milestones() for term in MilestoneTerm.values}
    by_hub: dict[int, dict] = defaultdict(_empty_milestones)
    total = _empty_milestones()
    for row in counts:
        for bucket in (by_term[row["term"]], by_hub[row["hub"]], total):
            bucket[row["status"]] += row["n"]
            bucket["total"] += row["n"]
            bucket["overdue"] += row["overdue"]
    labels = dict(MilestoneTerm.choices)
    return {
        "groups_with_plans": sum(plans.values()),
        **_milestone_rates(total),
        "by_term": [
            {"term": term, "label": labels[term], **_milestone_rates(by_term[term])}
            for term in MilestoneTerm.values
        ],
        "by_hub_id": {
            hub: {"groups_with_plans": plans.get(hub, 0), **_milestone_rates(counts)}
            for hub, counts in by_hub.items()
        },
    }


def _empty_milestones() -> dict:
    return dict.fromkeys([*MILESTONE_STATUSES, "total", "overdue"], 0)


def _milestone_rates(counts: dict) -> dict:
    return {**counts, "achieved_rate": percent(counts["achieved"], counts["total"])}
