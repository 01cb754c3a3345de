"""What the surveys show: a group's averages for its leads, and the change from start to end
for the national report, each in a fixed number of queries.

The database averages each person's answers per outcome area and occasion (one aggregate
query); numpy pairs the start and end scores and ``surveys.statistics`` works out the change.
Only sent responses count. Figures are shown only where enough people answered both
surveys: ``MIN_GROUP_PAIRS`` for a group's averages, ``MIN_REPORT_PAIRS`` for an effect size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.utils import timezone

from participants.models import Hub
from projects.models import AcademicYear, OutcomeArea, Project
from surveys import rules, schedule, statistics
from surveys.models import SCALE, Answer, Occasion, Response, Statement, Survey
from workgroups.models import WorkGroup, WorkGroupStatus

MIN_GROUP_PAIRS = 5
MIN_REPORT_PAIRS = 10
SCHEMA_VERSION = 1

# Typeset signs, written by name so the source stays plain ASCII.
_M, _X, _PM, _ROOT, _SQ = (
    "\N{MINUS SIGN}",
    "\N{MULTIPLICATION SIGN}",
    "\N{PLUS-MINUS SIGN}",
    "\N{SQUARE ROOT}",
    "\N{SUPERSCRIPT TWO}",
)
METHOD = (
    "Participants rate the same statements at the start and at the end of their group, from "
    "1 (strongly disagree) to 5 (strongly agree). A person's score for an outcome area is the "
    "mean of their ratings of that area's statements. Pairs are people who sent both surveys "
    "in the same group; only they count here. Change is end minus start. The mean change has "
    f"a 95% confidence interval from the t distribution with n {_M} 1 degrees of freedom. The "
    "effect size is Hedges' g for paired scores (g_av): the mean change divided by the average "
    f"standard deviation of the start and end scores, {_ROOT}((s_start{_SQ} + s_end{_SQ}) / 2) "
    f"(Cohen's d_av), times the small-sample correction J = 1 {_M} 3 / (4(n {_M} 1) {_M} 1). "
    "Dividing by the spread of the scores rather than of the changes keeps it comparable with "
    "the effect sizes of other evaluations, such as the EEF's. Its 95% confidence interval is "
    f"g {_PM} 1.96 {_X} SE, with SE = J {_X} {_ROOT}((1/n + d{_SQ} / 2n) {_X} 2(1 {_M} r)) and "
    "r the correlation of start and end scores (the normal approximation for matched groups, "
    f"Borenstein et al. 2009). Standard deviations divide by n {_M} 1. Figures are shown only "
    f"where at least {MIN_REPORT_PAIRS} people answered both surveys. Response rates divide the "
    "surveys sent by the participants of the groups whose survey has opened (people with an "
    "active registration in a confirmed or completed place, and anyone who answered and has "
    "since left). There is no comparison group: a change shows what participants report, not "
    "how much of it the group caused, and people who answer both surveys may differ from "
    "those who do not."
)


@dataclass(frozen=True)
class Score:
    """A person's mean rating of an area's statements on one occasion, in one group."""

    user_id: int
    work_group_id: int
    hub_id: int
    occasion: str
    area_id: int
    mean: float


def person_scores(responses) -> list[Score]:
    """Each person's mean per area and occasion over ``responses`` (one aggregate query)."""
    rows = (
        Answer.objects.filter(response__in=responses.submitted())
        .values(
            user_id=F("response__user_id"),
            work_group_id=F("response__work_group_id"),
            hub_id=F("response__work_group__hub_id"),
            occasion=F("response__occasion"),
            area_id=F("statement__area_id"),
        )
        .annotate(mean=Avg("value"))
        .order_by()
    )
    return [Score(**{**row, "mean": float(row["mean"])}) for row in rows]


def paired_scores(scores: list[Score]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Start and end scores of each area's pairs (same person, same group), in the same order."""
    found: dict[tuple, dict[str, float]] = defaultdict(dict)
    for score in scores:
        found[(score.area_id, score.user_id, score.work_group_id)][score.occasion] = score.mean
    pairs: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for (area_id, *_), both in sorted(found.items()):
        if len(both) == 2:
            pairs[area_id].append((both[Occasion.START], both[Occasion.END]))
    return {
        area: (np.array([s for s, _ in rows]), np.array([e for _, e in rows]))
        for area, rows in pairs.items()
    }


def people_with_both(scores: list[Score]) -> dict[int, int]:
    """How many people sent both surveys, per hub (a person in two groups counts twice)."""
    found: dict[tuple, set[str]] = defaultdict(set)
    for score in scores:
        found[(score.hub_id, score.user_id, score.work_group_id)].add(score.occasion)
    counts: dict[int, int] = defaultdict(int)
    for (hub_id, *_), occasions in found.items():
        counts[hub_id] += len(occasions) == len(Occasion.values)
    return dict(counts)


def _r(value: float | None, places: int = 6) -> float | None:
    return None if value is None else round(float(value), places)


def area_figures(area: OutcomeArea, start: np.ndarray | None, end: np.ndarray | None) -> dict:
    """One area's change, or only its number of pairs where there are too few to show."""
    pairs = 0 if start is None else len(start)
    row = {"code": area.code, "name": area.name, "pairs": pairs}
    if pairs < MIN_REPORT_PAIRS:
        return {**row, "suppressed": True}
    change = statistics.paired_change(start, end)
    return {
        **row,
        "suppressed": False,
        "mean_start": _r(change.mean_start),
        "mean_end": _r(change.mean_end),
        "mean_change": _r(change.mean_change),
        "change_low": _r(change.change_low),
        "change_high": _r(change.change_high),
        "sd_start": _r(change.sd_start),
        "sd_end": _r(change.sd_end),
        "correlation": _r(change.correlation),
        "effect_size": _r(change.effect_size),
        "effect_low": _r(change.effect_low),
        "effect_high": _r(change.effect_high),
    }


def _areas_figures(areas: list[OutcomeArea], scores: list[Score]) -> list[dict]:
    paired = paired_scores(scores)
    return [area_figures(area, *paired.get(area.pk, (None, None))) for area in areas]


def impact_for(
    project: Project,
    academic_year: AcademicYear,
    hub: Hub | None = None,
    *,
    today: datetime.date | None = None,
) -> dict:
    """The impact section's figures, JSON-ready: per outcome area (nationally, or for ``hub``)
    the pairs, mean start and end, mean change and effect size with 95% intervals (or
    ``suppressed``), the same per hub, and response rates per hub. Six queries at most."""
    today = today or timezone.localdate()
    survey = Survey.objects.filter(project=project, academic_year=academic_year).first()
    base = {
        "schema": SCHEMA_VERSION,
        "min_pairs": MIN_REPORT_PAIRS,
        "confidence": round(statistics.CONFIDENCE * 100),
        "scale": [{"value": value, "label": label} for value, label in SCALE],
        "method": METHOD,
    }
    if survey is None:
        return {**base, "survey": None, "areas": [], "by_hub": [], "response_rates": []}
    responses = Response.objects.filter(survey=survey)
    if hub is not None:
        responses = responses.filter(work_group__hub=hub)
    scores = person_scores(responses)
    areas = survey_areas(survey)
    rates, hub_names = response_rates(survey, hub, today)
    by_hub_scores: dict[int, list[Score]] = defaultdict(list)
    for score in scores:
        by_hub_scores[score.hub_id].append(score)
    by_hub = [
        {"hub_id": hub_id, "hub": hub_names[hub_id], "areas": _areas_figures(areas, rows)}
        for hub_id, rows in sorted(by_hub_scores.items(), key=lambda item: hub_names[item[0]])
    ]
    pairs = people_with_both(scores)
    for row in rates:
        row["pairs"] = sum(pairs.values()) if row["hub_id"] is None else pairs.get(row["hub_id"], 0)
    return {
        **base,
        "survey": {"id": survey.pk, "title": survey.title},
        "areas": _areas_figures(areas, scores),
        "by_hub": by_hub,
        "response_rates": rates,
    }


def survey_areas(survey: Survey) -> list[OutcomeArea]:
    """The outcome areas the survey has statements in, in order (one query)."""
    return list(
        OutcomeArea.objects.filter(
            pk__in=Statement.objects.filter(survey=survey).values("area_id")
        ).order_by("order", "pk")
    )


def _rate(sent: int, participants: int) -> float | None:
    return round(100 * sent / participants, 1) if participants else None


def response_rates(
    survey: Survey, hub: Hub | None, today: datetime.date
) -> tuple[list[dict], dict[int, str]]:
    """Per hub: participants of groups whose start (end) survey has opened, and the start (end)
    surveys sent, with the rate; plus every hub's name by id (three queries)."""
    groups_qs = WorkGroup.objects.filter(
        project_id=survey.project_id, academic_year_id=survey.academic_year_id
    )
    if hub is not None:
        groups_qs = groups_qs.filter(hub=hub)
    groups = list(schedule.with_session_days(groups_qs).select_related("hub").order_by())
    names = {group.hub_id: group.hub.name for group in groups}
    opened = {
        group.pk: {
            occasion: schedule.window(group, occasion, today).has_opened
            for occasion in Occasion.values
        }
        for group in groups
        if group.status != WorkGroupStatus.CANCELLED
    }
    live = groups_qs.exclude(status=WorkGroupStatus.CANCELLED).values("pk")
    active = dict(
        rules.active_participants(live)
        .values_list("work_group_id")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    participant = rules.active_participants(live).filter(
        user=OuterRef("user"), work_group=OuterRef("work_group")
    )
    sent = (
        Response.objects.submitted()
        .filter(survey=survey, work_group__in=live)
        .values("work_group_id", "occasion")
        .annotate(n=Count("pk"), left=Count("pk", filter=~Q(Exists(participant))))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    groups_by_pk = {group.pk: group for group in groups}
    for row in sent:
        hub_counts = counts[groups_by_pk[row["work_group_id"]].hub_id]
        hub_counts[f"{row['occasion']}_sent"] += row["n"]
        if opened[row["work_group_id"]][row["occasion"]]:
            hub_counts[f"{row['occasion']}_participants"] += row["left"]
    for group_pk, flags in opened.items():
        hub_counts = counts[groups_by_pk[group_pk].hub_id]
        for occasion, has_opened in flags.items():
            if has_opened:
                hub_counts[f"{occasion}_participants"] += active.get(group_pk, 0)
    rows = []
    for hub_id in sorted(counts, key=lambda pk: names[pk]):
        c = counts[hub_id]
        rows.append(
            {
                "hub_id": hub_id,
                "hub": names[hub_id],
                **{
                    key: c[key]
                    for key in ("start_participants", "start_sent", "end_participants", "end_sent")
                },
                "start_rate": _rate(c["start_sent"], c["start_participants"]),
                "end_rate": _rate(c["end_sent"], c["end_participants"]),
            }
        )
    if len(rows) > 1 or hub is None:
        total = {
            key: sum(row[key] for row in rows)
            for key in ("start_participants", "start_sent", "end_participants", "end_sent")
        }
        total["start_rate"] = _rate(total["start_sent"], total["start_participants"])
        total["end_rate"] = _rate(total["end_sent"], total["end_participants"])
        rows.append({"hub_id": None, "hub": "All hubs", **total})
    return rows, names


# The report's CSV --------------------------------------------------------------------------

AREA_MEASURES = [
    ("pairs", "pairs"),
    ("mean_start", "mean at start (1 to 5)"),
    ("mean_end", "mean at end (1 to 5)"),
    ("mean_change", "mean change"),
    ("change_low", "mean change, 95% CI low"),
    ("change_high", "mean change, 95% CI high"),
    ("sd_start", "SD at start"),
    ("sd_end", "SD at end"),
    ("correlation", "correlation of start and end"),
    ("effect_size", "effect size (Hedges' g_av)"),
    ("effect_low", "effect size, 95% CI low"),
    ("effect_high", "effect size, 95% CI high"),
]
RATE_MEASURES = [
    "start_participants",
    "start_sent",
    "start_rate",
    "end_participants",
    "end_sent",
    "end_rate",
    "pairs",
]


def csv_rows(figures: dict | None) -> Iterator[tuple]:
    """The impact figures as the report's CSV rows: section, breakdown, item, measure, value.
    Areas with too few pairs give their number of pairs and nothing else."""
    if not figures or not figures.get("survey"):
        return
    scopes = [("All hubs", figures["areas"])]
    scopes += [(row["hub"], row["areas"]) for row in figures["by_hub"]]
    for scope, areas in scopes:
        for area in areas:
            for key, measure in AREA_MEASURES:
                if key in area:
                    yield ("Impact", scope, area["name"], measure, area[key])
    for row in figures["response_rates"]:
        for key in RATE_MEASURES:
            yield ("Survey responses", row["hub"], "", key.replace("_", " "), row[key])


# A group's averages, for its leads -------------------------------------------------------


def group_summary(work_group: WorkGroup) -> dict:
    """Start and end averages per outcome area among the people who sent both surveys, only
    where at least ``MIN_GROUP_PAIRS`` did; never anyone's own answers (two queries)."""
    statements = list(
        Statement.objects.filter(
            survey__project_id=work_group.project_id,
            survey__academic_year_id=work_group.academic_year_id,
        ).select_related("survey", "area")
    )
    if not statements:
        return {"survey": None}
    survey = statements[0].survey
    areas = sorted({s.area_id: s.area for s in statements}.values(), key=lambda a: (a.order, a.pk))
    scores = person_scores(Response.objects.filter(survey=survey, work_group=work_group))
    people = {occasion: set() for occasion in Occasion.values}
    for score in scores:
        people[score.occasion].add(score.user_id)
    pairs = len(people[Occasion.START] & people[Occasion.END])
    summary = {
        "survey": survey,
        "start_sent": len(people[Occasion.START]),
        "end_sent": len(people[Occasion.END]),
        "pairs": pairs,
        "min_pairs": MIN_GROUP_PAIRS,
        "shown": pairs >= MIN_GROUP_PAIRS,
        "areas": [],
    }
    if not summary["shown"]:
        return summary
    paired = paired_scores(scores)
    for area in areas:
        start, end = paired.get(area.pk, (np.array([]), np.array([])))
        if len(start) < MIN_GROUP_PAIRS:
            continue
        summary["areas"].append(
            {
                "name": area.name,
                "code": area.code,
                # One decimal place: a finer figure would tell more about each person.
                "start": round(float(start.mean()), 1),
                "end": round(float(end.mean()), 1),
                "change": round(float(end.mean()) - float(start.mean()), 1),
            }
        )
    return summary
