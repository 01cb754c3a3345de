"""Who reads which edition of a report.

The national team reads every report in full. Hub staff read their own hubs' reports in full
and the national report as *national figures*: every national total and breakdown by region,
phase and role, but nothing about any one hub or group (no rows by hub, no cancelled groups'
names, no group's evidence, findings or quotes; themes keep their words and counts).
"""

from __future__ import annotations

from core import scoping
from evaluations.models import NationalReport, ReportEdition


def edition_for(user, report: NationalReport) -> str:
    if report.hub_id is None and not scoping.is_national(user):
        return ReportEdition.NATIONAL_FIGURES
    return ReportEdition.FULL


def apply(figures: dict, edition: str) -> dict:
    """The figures as ``edition`` shows them (a new dict; the stored one is left alone)."""
    if edition != ReportEdition.NATIONAL_FIGURES or "findings" not in figures:
        return figures
    found = figures["findings"]
    return {
        **figures,
        "hubs": [],
        **({"impact": _national_impact(figures["impact"])} if figures.get("impact") else {}),
        "groups": {**figures["groups"], "cancelled_list": []},
        "findings": {
            **found,
            "groups": [],
            "areas": [{**area, "evidence": []} for area in found["areas"]],
            "themes": [
                {
                    **source,
                    "themes": [
                        {**theme, "group_ids": [], "quotes": []} for theme in source["themes"]
                    ],
                }
                for source in found["themes"]
            ],
        },
    }


def _national_impact(impact: dict) -> dict:
    """The survey figures for all hubs together: no hub's effect sizes or response rate."""
    rates = [row for row in impact.get("response_rates", []) if row.get("hub_id") is None]
    return {**impact, "by_hub": [], "response_rates": rates}
