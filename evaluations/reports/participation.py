"""Schools and people: who took part, who completed (and who did not), who withdrew and when,
and how many of the schools have more disadvantaged pupils than most schools of their phase.

Only groups in the counts (not cancelled, not drafts) are counted. Schools are counted by the
``Place`` rows, people by the ``Registration`` rows, each with one aggregate query for the totals
and one per breakdown (hub, region, phase, role, month), whatever the number of groups.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth

from evaluations.reports.scope import UNKNOWN, Scope, percent
from participants.models import School, SchoolPhase
from workgroups.models import (
    TAKEN_PLACE_STATUSES,
    Completion,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroupStatus,
)

PHASES = dict(SchoolPhase.choices)
METHOD = (
    "Schools taking part with a known free school meals percentage that is above the median "
    "of every open state-funded school of the same phase (primary against primary, secondary "
    "against secondary)."
)


# Schools ------------------------------------------------------------------------------------

TAKEN = Q(status__in=TAKEN_PLACE_STATUSES)
WITHDRAWN = Q(status=PlaceStatus.WITHDRAWN)
SCHOOL_TOOK_PART = TAKEN | (WITHDRAWN & Q(attended=True))
GROUP_COMPLETED = Q(work_group__status=WorkGroupStatus.COMPLETED)


def places(scope: Scope) -> QuerySet:
    return Place.objects.filter(scope.counted("work_group__")).annotate(
        attended=scope.attended("registration__place"), first_held=scope.first_held()
    )


def _distinct_schools(condition: Q) -> Count:
    return Count("school", distinct=True, filter=condition)


def _when(left: Q, at: str) -> dict[str, Q]:
    """Leavers split by when they left: before the group first met, after, or not recorded."""
    return {
        "before_start": left & (Q(first_held__isnull=True) | Q(**{f"{at}__lt": F("first_held")})),
        "after_start": left & Q(**{f"{at}__gte": F("first_held")}),
        "not_recorded": left & Q(**{f"{at}__isnull": True, "first_held__isnull": False}),
    }


def school_counts(above: Q | None = None) -> dict[str, Count]:
    counts = {
        "schools": _distinct_schools(SCHOOL_TOOK_PART),
        "schools_completed": _distinct_schools(Q(status=PlaceStatus.COMPLETED)),
        "schools_not_completed": _distinct_schools(Q(status=PlaceStatus.NOT_COMPLETED)),
        "schools_started": _distinct_schools(GROUP_COMPLETED & SCHOOL_TOOK_PART),
        "schools_withdrawn": _distinct_schools(WITHDRAWN),
        "schools_withdrawn_after_attending": _distinct_schools(WITHDRAWN & Q(attended=True)),
    }
    for when, condition in _when(WITHDRAWN, "decided_at").items():
        counts[f"schools_withdrawn_{when}"] = _distinct_schools(condition)
    if above is not None:
        known = SCHOOL_TOOK_PART & Q(school__fsm_percentage__isnull=False)
        counts["schools_fsm_known"] = _distinct_schools(known)
        counts["schools_above_median"] = _distinct_schools(known & above)
    return counts


# People -------------------------------------------------------------------------------------

ACTIVE_IN_PLACE = Q(status=RegistrationStatus.ACTIVE, place__status__in=TAKEN_PLACE_STATUSES)
PERSON_TOOK_PART = ACTIVE_IN_PLACE | Q(attended=True)
# Withdrew and did not come back to the group; people whose place the hub declined never had
# one, so they are not counted as leaving.
PERSON_LEFT = Q(status=RegistrationStatus.WITHDRAWN, still_active=False) & ~Q(
    place__status=PlaceStatus.DECLINED
)


def registrations(scope: Scope) -> QuerySet:
    again = Registration.objects.filter(
        work_group=OuterRef("work_group"), user=OuterRef("user"), status=RegistrationStatus.ACTIVE
    )
    return Registration.objects.filter(scope.counted("work_group__")).annotate(
        attended=scope.attended("registration"),
        first_held=scope.first_held(),
        still_active=Exists(again),
    )


def _distinct_people(condition: Q) -> Count:
    return Count("user", distinct=True, filter=condition)


def people_counts() -> dict[str, Count]:
    counts = {
        "participants": _distinct_people(PERSON_TOOK_PART),
        "participants_active": _distinct_people(ACTIVE_IN_PLACE),
        "people_started": _distinct_people(GROUP_COMPLETED & PERSON_TOOK_PART),
        # Each person's own outcome, not their school's.
        "people_completed": _distinct_people(
            Q(status=RegistrationStatus.ACTIVE, completion=Completion.COMPLETED)
        ),
        "people_not_completed": _distinct_people(
            Q(status=RegistrationStatus.ACTIVE, completion=Completion.NOT_COMPLETED)
        ),
        "people_withdrawn": _distinct_people(PERSON_LEFT),
        "people_withdrawn_after_attending": _distinct_people(PERSON_LEFT & Q(attended=True)),
    }
    for when, condition in _when(PERSON_LEFT, "withdrawn_at").items():
        counts[f"people_withdrawn_{when}"] = _distinct_people(condition)
    return counts


# The benchmark ------------------------------------------------------------------------------


def phase_medians() -> dict[str, dict]:
    """Per phase, the median free school meals % of open state-funded schools with a figure.

    One query: each phase's schools are ranked by their figure and only the middle one or two
    rows come back.
    """
    ranked = (
        School.objects.open()
        .filter(is_state_funded=True, fsm_percentage__isnull=False)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("phase")], order_by=[F("fsm_percentage"), F("pk")]
            ),
            size=Window(Count("pk"), partition_by=[F("phase")]),
        )
        .order_by()
    )
    middle = ranked.filter(
        position__gte=(F("size") + 1) / 2, position__lte=F("size") / 2 + 1
    ).values_list("phase", "fsm_percentage", "size")
    found: dict[str, list] = {}
    for phase, value, size in middle:
        found.setdefault(phase, [size, []])[1].append(Decimal(value))
    return {
        phase: {"median": sum(values) / len(values), "schools": size}
        for phase, (size, values) in found.items()
    }


def above_median(medians: dict[str, dict], path: str = "school__") -> Q:
    """Schools whose figure is above their own phase's median (no school, with no medians)."""
    q = Q(pk__isnull=True)  # matches no row: the start of an "or"
    for phase, benchmark in medians.items():
        q |= Q(**{f"{path}phase": phase, f"{path}fsm_percentage__gt": benchmark["median"]})
    return q


# Putting it together ------------------------------------------------------------------------


def collate(scope: Scope) -> dict:
    """Reach, completion, withdrawals and disadvantage, in total and by hub, region and phase."""
    medians = phase_medians()
    place_rows = places(scope)
    people_rows = registrations(scope)
    totals = place_rows.aggregate(**school_counts(above_median(medians)))
    totals |= people_rows.aggregate(**people_counts())
    breakdowns = {
        name: _merge(
            _grouped(place_rows, place_key, school_counts()),
            _grouped(people_rows, f"place__{place_key}", people_counts()),
        )
        for name, place_key in (
            ("hub", "work_group__hub_id"),
            ("region", "school__region__name"),
            ("phase", "school__phase"),
        )
    }
    return {
        "totals": totals,
        "by_hub_id": breakdowns["hub"],
        "by_region": _labelled(breakdowns["region"], lambda key: key or UNKNOWN),
        "by_phase": _labelled(breakdowns["phase"], lambda key: PHASES.get(key, key or UNKNOWN)),
        "by_role": _roles(people_rows),
        "withdrawals_by_month": _months(place_rows, people_rows),
        "disadvantage": _disadvantage(totals, medians, breakdowns["phase"]),
    }


def _grouped(rows: QuerySet, key: str, counts: dict) -> dict:
    grouped = rows.values(key=F(key)).annotate(**counts).order_by()
    return {row.pop("key"): row for row in grouped}


def _merge(schools: dict, people: dict) -> dict:
    empty_schools = dict.fromkeys(school_counts(), 0)
    empty_people = dict.fromkeys(people_counts(), 0)
    return {
        key: {**empty_schools, **schools.get(key, {}), **empty_people, **people.get(key, {})}
        for key in schools.keys() | people.keys()
    }


def _labelled(rows: dict, label) -> list[dict]:
    out = [{"label": label(key), **with_rates(counts)} for key, counts in rows.items()]
    return sorted(out, key=lambda row: (-row["schools"], row["label"]))


def with_rates(counts: dict) -> dict:
    """The counts with their completion rates."""
    return {
        **counts,
        "school_completion_rate": percent(counts["schools_completed"], counts["schools_started"]),
        "people_completion_rate": percent(counts["people_completed"], counts["people_started"]),
    }


def _roles(people_rows: QuerySet) -> list[dict]:
    rows = (
        people_rows.values(label=F("role__name"), order=F("role__order"))
        .annotate(count=_distinct_people(PERSON_TOOK_PART))
        .order_by("order", "label")
    )
    return [{"label": row["label"], "count": row["count"]} for row in rows if row["count"]]


def _months(place_rows: QuerySet, people_rows: QuerySet) -> list[dict]:
    schools = (
        place_rows.filter(WITHDRAWN, decided_at__isnull=False)
        .values(month=TruncMonth("decided_at"))
        .annotate(n=Count("school", distinct=True))
        .order_by()
    )
    people = (
        people_rows.filter(PERSON_LEFT, withdrawn_at__isnull=False)
        .values(month=TruncMonth("withdrawn_at"))
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    months: dict[str, dict] = {}
    for kind, rows in (("schools", schools), ("people", people)):
        for row in rows:
            key = row["month"].strftime("%Y-%m")
            label = row["month"].strftime("%B %Y")
            empty = {"month": key, "label": label, "schools": 0, "people": 0}
            months.setdefault(key, empty)[kind] = row["n"]
    return [months[key] for key in sorted(months)]


def _disadvantage(totals: dict, medians: dict, by_phase: dict) -> dict:
    known, above = totals["schools_fsm_known"], totals["schools_above_median"]
    phases = [phase for phase in PHASES if phase in medians and phase in by_phase]
    return {
        "benchmarks": [
            {
                "label": PHASES[phase],
                "median": float(round(medians[phase]["median"], 1)),
                "schools": medians[phase]["schools"],
            }
            for phase in phases
        ],
        "schools_with_fsm": known,
        "schools_above_median": above,
        "share": percent(above, known),
        "method": METHOD,
    }
