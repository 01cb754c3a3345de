"""Reach across projects: the share of an area's state-funded schools engaged in a year.

A school is *engaged* in a year when it completed a project in a group of that year, with any
hub (completion, not sign-up); *taking part* when it has a confirmed or completed place in a
group of the year that was not cancelled. The *schools* of an area are the state-funded
schools open during the year (opened by its end, not closed before its start), in the area of
their hub (``School.hub``) or in their local authority (listed under the authority's hub).
See ``definitions.REACH``.

Counted live, by the database, in two grouped queries whatever the number of schools: one
counts the schools open in each year per hub, local authority and phase; the other the schools
engaged and taking part in the same buckets. Every school sits in one bucket, so adding
buckets up gives each hub's, each authority's and the nation's figures exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, F, Q

from evaluations.reports import render
from evaluations.reports.scope import COUNTED_GROUP_STATUSES, percent
from participants.models import Hub, LocalAuthority, School, SchoolPhase, SchoolStatus
from projects.models import AcademicYear
from workgroups.models import TAKEN_PLACE_STATUSES, Place, PlaceStatus

YEARS_SHOWN = 5
PHASE_GROUPS = {
    SchoolPhase.PRIMARY: "Primary",
    SchoolPhase.MIDDLE_PRIMARY: "Primary",
    SchoolPhase.SECONDARY: "Secondary",
    SchoolPhase.MIDDLE_SECONDARY: "Secondary",
    SchoolPhase.ALL_THROUGH: "All-through",
}
OTHER_PHASES = "Other phases"
PHASES = ["Primary", "Secondary", "All-through", OTHER_PHASES]
NO_HUB = "Not in a hub's area"
NO_AUTHORITY = "No local authority recorded"


def years_to(chosen: AcademicYear, years: list[AcademicYear]) -> list[AcademicYear]:
    """The chosen year and up to four before it, oldest first."""
    earlier = [year for year in years if year.starts_on <= chosen.starts_on]
    return sorted(earlier, key=lambda year: year.starts_on)[-YEARS_SHOWN:]


def default_year(current: AcademicYear | None) -> AcademicYear | None:
    """The current year once a school has completed in it; before that, the latest earlier
    year in which schools completed (groups complete in the summer term)."""
    if current is None:
        return None
    up_to_now = Q(work_group__academic_year__starts_on__lte=current.starts_on)
    latest = (
        Place.objects.filter(up_to_now, status=PlaceStatus.COMPLETED)
        .order_by("-work_group__academic_year__starts_on")
        .values_list("work_group__academic_year_id", flat=True)
        .first()
    )
    if latest is None or latest == current.pk:
        return current
    return AcademicYear.objects.get(pk=latest)


def open_during(starts, ends, path: str = "") -> Q:
    """State-funded schools (reached through ``path``) open at some time between ``starts``
    and ``ends``, which may be dates or expressions."""
    still_open = Q(**{f"{path}closed_on__isnull": True}) & ~Q(
        **{f"{path}status": SchoolStatus.CLOSED}
    )
    return (
        Q(**{f"{path}is_state_funded": True})
        & ~Q(**{f"{path}status": SchoolStatus.PROPOSED_TO_OPEN})
        & (Q(**{f"{path}opened_on__isnull": True}) | Q(**{f"{path}opened_on__lte": ends}))
        & (Q(**{f"{path}closed_on__gte": starts}) | still_open)
    )


@dataclass
class Counts:
    schools: int = 0
    engaged: int = 0
    taking_part: int = 0

    def add(self, other: Counts) -> None:
        self.schools += other.schools
        self.engaged += other.engaged
        self.taking_part += other.taking_part

    def as_dict(self) -> dict:
        return {
            "schools": self.schools,
            "engaged": self.engaged,
            "share": percent(self.engaged, self.schools),
            "taking_part": self.taking_part,
        }


def _bucket_counts(years: list[AcademicYear]) -> dict[tuple, Counts]:
    """Counts per (year id, hub id, authority id, phase)."""
    buckets: dict[tuple, Counts] = defaultdict(Counts)
    keys = ("hub_id", "local_authority_id", "phase")
    schools = (
        School.objects.filter(is_state_funded=True)
        .values(*keys)
        .annotate(
            **{
                f"y{year.pk}": Count("pk", filter=open_during(year.starts_on, year.ends_on))
                for year in years
            }
        )
        .order_by()
    )
    for row in schools:
        for year in years:
            buckets[(year.pk, *(row[key] for key in keys))].schools += row[f"y{year.pk}"]
    year_of_group = "work_group__academic_year__"
    starts, ends = F(f"{year_of_group}starts_on"), F(f"{year_of_group}ends_on")
    places = (
        Place.objects.filter(
            open_during(starts, ends, "school__"),
            status__in=TAKEN_PLACE_STATUSES,
            work_group__academic_year__in=years,
            work_group__status__in=COUNTED_GROUP_STATUSES,
        )
        .values(*(f"school__{key}" for key in keys), year=F("work_group__academic_year_id"))
        .annotate(
            engaged=Count("school", distinct=True, filter=Q(status=PlaceStatus.COMPLETED)),
            taking_part=Count("school", distinct=True),
        )
        .order_by()
    )
    for row in places:
        bucket = buckets[(row["year"], *(row[f"school__{key}"] for key in keys))]
        bucket.engaged += row["engaged"]
        bucket.taking_part += row["taking_part"]
    return buckets


def collate(years: list[AcademicYear], *, hub_ids: set[int] | None = None) -> dict:
    """Reach in ``years`` (oldest first; the last is the one chosen): nationally, per hub and
    per local authority, each by year and, for the chosen year, by phase. With ``hub_ids``,
    only those hubs and their authorities are listed (the national figures always are)."""
    buckets = _bucket_counts(years) if years else {}
    chosen = years[-1].pk if years else None
    national = _Area("England")
    hubs: dict[int | None, _Area] = {}
    authorities: dict[int | None, _Area] = {}
    for (year, hub, authority, phase), counts in buckets.items():
        phase_group = PHASE_GROUPS.get(phase, OTHER_PHASES)
        for area in (
            national,
            hubs.setdefault(hub, _Area(hub)),
            authorities.setdefault(authority, _Area(authority)),
        ):
            area.add(year, phase_group if year == chosen else None, counts)
    authority_rows = LocalAuthority.objects.filter(pk__in=[k for k in authorities if k])
    la_names, la_hubs = {}, {}
    for pk, name, hub in authority_rows.values_list("pk", "name", "hub_id"):
        la_names[pk], la_hubs[pk] = name, hub
    for key, area in authorities.items():
        area.hub = la_hubs.get(key)
    if hub_ids is not None:
        hubs = {key: area for key, area in hubs.items() if key in hub_ids}
        authorities = {key: area for key, area in authorities.items() if area.hub in hub_ids}
    hub_names = dict(Hub.objects.values_list("pk", "name"))
    return {
        "years": [{"id": year.pk, "label": year.label} for year in years],
        "phases": PHASES,
        "national": national.figures(years),
        "hubs": _named(hubs, hub_names, NO_HUB, years),
        "authorities": _named(authorities, la_names, NO_AUTHORITY, years, hub_names),
    }


class _Area:
    def __init__(self, key, hub=None):
        self.key, self.hub = key, hub
        self.by_year: dict[int, Counts] = defaultdict(Counts)
        self.by_phase: dict[str, Counts] = defaultdict(Counts)

    def add(self, year: int, phase: str | None, counts: Counts) -> None:
        self.by_year[year].add(counts)
        if phase is not None:
            self.by_phase[phase].add(counts)

    def figures(self, years: list[AcademicYear]) -> dict:
        by_year = [{"year": year.label, **self.by_year[year.pk].as_dict()} for year in years]
        return {
            "by_year": by_year,
            "current": by_year[-1] if by_year else Counts().as_dict(),
            "previous": by_year[-2] if len(by_year) > 1 else None,
            "by_phase": [{"phase": phase, **self.by_phase[phase].as_dict()} for phase in PHASES],
        }


def _named(areas: dict, names: dict, unnamed: str, years, hub_names=None) -> list[dict]:
    rows = []
    for key, area in areas.items():
        row = {"id": key, "name": names.get(key, unnamed), **area.figures(years)}
        if hub_names is not None:
            row["hub"] = hub_names.get(area.hub, NO_HUB)
        rows.append(row)
    return sorted(rows, key=lambda row: (row["id"] is None, row["name"]))


# Reach across projects ----------------------------------------------------------------------

REACH_HEADER = [
    "Area",
    "Name",
    "Hub",
    "Year",
    "Phase",
    "State-funded schools",
    "Engaged",
    "Share engaged %",
    "Taking part",
]


def reach_rows(figures: dict) -> Iterator[tuple]:
    """Every reach figure: each area by year (all phases), then by phase in the chosen year."""
    chosen = figures["years"][-1]["label"] if figures["years"] else ""
    areas = [("England", "England", "", figures["national"])]
    areas += [("Hub", row["name"], row["name"], row) for row in figures["hubs"]]
    areas += [("Local authority", row["name"], row["hub"], row) for row in figures["authorities"]]
    for kind, name, hub, area in areas:
        for row in area["by_year"]:
            counts = (row["schools"], row["engaged"], row["share"], row["taking_part"])
            yield (kind, name, hub, row["year"], "All phases", *counts)
        for row in area["by_phase"]:
            counts = (row["schools"], row["engaged"], row["share"], row["taking_part"])
            yield (kind, name, hub, chosen, row["phase"], *counts)


def reach_charts(figures: dict) -> dict:
    chosen = figures["years"][-1]["label"] if figures["years"] else ""
    national = figures["national"]["by_year"]
    return {
        "national": render.bar_chart(
            "chart-reach-years",
            "Share of England's state-funded schools engaged, year on year",
            [(row["year"], row["share"]) for row in national],
            unit="%",
        ),
        "hubs": render.bar_chart(
            "chart-reach-hubs",
            f"Share of each hub's schools engaged, {chosen}",
            [(row["name"], row["current"]["share"]) for row in figures["hubs"]],
            unit="%",
        ),
        "hub_years": [
            render.bar_chart(
                f"chart-reach-hub-{index}",
                f"{row['name']}: share of its schools engaged, year on year",
                [(year["year"], year["share"]) for year in row["by_year"]],
                unit="%",
            )
            for index, row in enumerate(figures["hubs"])
        ],
    }
