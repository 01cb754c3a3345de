"""Turn a report's stored figures into its page, its CSV and its PDF.

Nothing here counts anything: every number comes from ``NationalReport.figures`` (as the
reader's edition shows them), so the page, the CSV and the PDF always agree. Charts are plain
SVG drawn on the server (bar geometry is worked out here), each with a data table beside it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.template.loader import render_to_string

from core.csv import write_rows
from evaluations.models import NationalReport, ReportEdition, ReportStatus
from evaluations.reports import definitions, editions
from evaluations.reports.collation import SCHEMA_VERSION

CHART_WIDTH = 640
LABEL_WIDTH = 250
BAR_SPACE = 300
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_CHARS = 28


def bar_chart(chart_id: str, title: str, rows: list[tuple], unit: str = "") -> dict:
    """The drawing of a horizontal bar chart: one bar per ``(label, value)`` row; a third item,
    where given, is shown instead of the value (say why there is none)."""
    top = max((row[1] or 0 for row in rows), default=0) or 1
    bars = []
    for index, (label, value, *note) in enumerate(rows):
        width = round(BAR_SPACE * (value or 0) / top, 1)
        shown = (
            "no data"
            if value is None
            else f"{value:,.1f}{unit}"
            if isinstance(value, float)
            else f"{value:,}{unit}"
        )
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(
            {
                "label": label,
                "short_label": short,
                "value": value,
                "shown": note[0] if note and note[0] else shown,
                "y": index * ROW_HEIGHT + 4,
                "text_y": index * ROW_HEIGHT + 4 + BAR_HEIGHT - 4,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(rows), 1) * ROW_HEIGHT + 8,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "unit": unit,
    }


def _not_finished(row: dict) -> str:
    if row["completed"]:
        return ""
    running = row["running"]
    return f"none yet: no group has finished ({running} running)"


def charts(figures: dict) -> dict:
    """The report's charts, keyed by where they appear on the page."""
    attendance = figures["engagement"]["attendance"]
    distribution = figures["engagement"]["attendance_distribution"]
    terms = (figures.get("milestones") or {}).get("by_term", [])
    return {
        "hubs": bar_chart(
            "chart-hubs",
            "Schools that completed, by hub",
            [(row["hub"], row["schools_completed"], _not_finished(row)) for row in figures["hubs"]],
        ),
        "marks": bar_chart(
            "chart-marks",
            "Attendance marks at sessions held",
            [
                ("Present", attendance["present"]),
                ("Late", attendance["late"]),
                ("Apologies", attendance["apologies"]),
                ("Absent without apologies", attendance["absent"]),
            ],
        ),
        "attendance": bar_chart(
            "chart-attendance",
            "Groups by attendance rate",
            [(row["label"], row["groups"]) for row in distribution],
        ),
        "areas": [
            bar_chart(
                f"chart-area-{area['code']}",
                f"Impact ratings: {area['name']}",
                [(f"{row['rating']}: {row['label']}", row["count"]) for row in area["ratings"]],
            )
            for area in figures["outcomes"]["areas"]
        ],
        "milestones": bar_chart(
            "chart-milestones",
            "Milestones achieved, by term",
            [(row["label"], row["achieved_rate"]) for row in terms],
            unit="%",
        ),
    }  # fmt: skip


def national_headline(report: NationalReport) -> dict | None:
    """For a hub's report, the headline of the current national report it sits beside."""
    if report.hub_id is None:
        return None
    row = (
        NationalReport.objects.versions()
        .filter(
            project=report.project_id,
            academic_year=report.academic_year_id,
            hub__isnull=True,
            is_current=True,
            status=ReportStatus.DONE,
        )
        .values("pk", "version", "figures__headline")
        .first()
    )
    if row is None:
        return None
    values = {item["key"]: item["value"] for item in row["figures__headline"] or []}
    return {"report_id": row["pk"], "version": row["version"], "values": values}


def is_current_schema(figures: dict) -> bool:
    return figures.get("schema") == SCHEMA_VERSION


def report_context(report: NationalReport, *, edition: str, national: dict | None = None) -> dict:
    figures = editions.apply(report.figures, edition)
    context = {
        "report": report,
        "figures": figures,
        "edition": edition,
        "summary_edition": edition == ReportEdition.NATIONAL_FIGURES,
        "definitions": definitions.REPORT,
        "legacy": not is_current_schema(figures),
        "headline": _headline(figures, national),
        "national": national,
    }
    if context["legacy"]:
        return context
    drawn = charts(figures)
    context.update(
        charts=drawn,
        area_charts=[
            {"area": area, "chart": chart}
            for area, chart in zip(figures["outcomes"]["areas"], drawn["areas"], strict=True)
        ],
        themes=_themes(figures["findings"]),
        hub_areas=_hub_areas(figures),
    )
    return context


def _headline(figures: dict, national: dict | None) -> list[dict]:
    """Headline rows with last year's value and the change, and the nation's beside a hub's."""
    comparison = {row["key"]: row for row in (figures.get("comparison") or {}).get("rows", [])}
    rows = []
    for row in figures.get("headline", []):
        before = comparison.get(row["key"], {})
        rows.append(
            {
                **row,
                "previous": before.get("previous"),
                "delta": before.get("delta"),
                "national": national["values"].get(row["key"]) if national else None,
            }
        )
    return rows


def _themes(found: dict) -> list[dict]:
    names = {row["group_id"]: (row["group"], row["hub"]) for row in found["groups"]}
    sources = []
    for source in found["themes"]:
        themes = []
        for theme in source["themes"]:
            themes.append(
                {
                    **theme,
                    "names": [_group_name(names, group) for group in theme["group_ids"]],
                    "quoted": [
                        {"group": _group_name(names, quote["group_id"]), "text": quote["text"]}
                        for quote in theme["quotes"]
                    ],
                }
            )
        sources.append({**source, "themes": themes})
    return sources


def _group_name(names: dict, group_id: int) -> str:
    group, hub = names.get(group_id, ("A group", ""))
    return f"{group} ({hub})" if hub else group


def _hub_areas(figures: dict) -> list[dict]:
    """Per outcome area, each hub's ratings: the rows of the 'ratings by hub' tables."""
    return [
        {
            "name": area["name"],
            "rows": [
                {"hub": hub["hub"], **hub["areas"][index]}
                for hub in figures["hubs"]
                if hub["areas"][index]["rated"] or hub["areas"][index]["not_rated"]
            ],
        }
        for index, area in enumerate(figures["outcomes"]["areas"])
    ]


def render_pdf(report: NationalReport, *, edition: str, national: dict | None = None):
    """The whole report, charts included, as PDF bytes and its number of pages (WeasyPrint)."""
    from weasyprint import HTML  # imported here: it loads fonts and is only needed for PDFs

    context = report_context(report, edition=edition, national=national)
    document = HTML(string=render_to_string("reports/report_pdf.html", context)).render()
    return document.write_pdf(), len(document.pages)


# The CSV ------------------------------------------------------------------------------------

HEADER = ["Section", "Breakdown", "Item", "Measure", "Value", "Key"]
SECTIONS = [
    ("groups", "Groups"),
    ("reach", "Reach"),
    ("engagement", "Engagement"),
    ("evaluations", "Evaluations"),
    ("outcomes", "Outcomes"),
    ("milestones", "Milestones"),
    ("impact", "Impact"),
    ("hubs", "By hub"),
    ("findings", "Findings"),
]
# What names a row of a list, for the CSV's "Item" column, in order of preference.
ROW_NAMES = ("group", "hub", "label", "name", "term", "month")
# Settings, words and identifiers rather than figures: left out of the walk (the headline and
# the comparison are written first, in their own rows).
NOT_FIGURES = {"schema", "as_of", "scope", "headline", "comparison", "themes_method", "method"}
IDENTIFIERS = {"hub_id", "group_id", "group_ids", "source", "code", "report_id"}
MEASURES = {
    "schools": "schools taking part",
    "participants": "participants (everyone who took part)",
    "participants_active": "participants registered now",
    "schools_started": "schools that took part in a completed group",
    "schools_not_completed": "schools that did not complete",
    "people_not_completed": "participants who did not complete",
    "people_started": "people who took part in a completed group",
    "rate": "attendance %",
    "apologies_rate": "apologies %",
    "absence_rate": "absence without apologies %",
    "school_completion_rate": "completion rate: schools %",
    "people_completion_rate": "completion rate: participants %",
    "achieved_rate": "achieved %",
    "signed_off_rate": "signed off %",
    "share": "share %",
    "awaiting": "awaiting sign-off",
    "signed_off_early": "signed off while the group still runs",
}


def render_csv(report: NationalReport, *, edition: str, national: dict | None = None) -> str:
    """Every figure the reader's edition holds, one a row, with its key in the figures."""
    buffer = io.StringIO()
    write_rows(buffer, HEADER, csv_rows(editions.apply(report.figures, edition), national))
    return buffer.getvalue()


def csv_rows(figures: dict, national: dict | None = None) -> Iterator[tuple]:
    for row in _headline(figures, national):
        unit = "per cent" if row["unit"] == "%" else "count"
        key = f"headline.{row['key']}"
        yield ("Headline", "", row["label"], unit, row["value"], key)
        if figures.get("comparison"):
            year = figures["comparison"]["year"]
            yield ("Headline", year, row["label"], unit, row["previous"], f"{key}.previous")
            yield ("Headline", f"Change since {year}", row["label"], unit, row["delta"],
                   f"{key}.change")  # fmt: skip
        if national:
            yield ("Headline", "National", row["label"], unit, row["national"], f"{key}.national")
    if not is_current_schema(figures):
        return
    for term, meaning in definitions.REPORT:
        yield ("Definitions", "", term, "meaning", meaning, "")
    figures = _named_quotes(figures)
    for key, title in SECTIONS:
        yield from _walk(figures.get(key), [key], title, "", "")
    method = figures["findings"]["themes_method"]
    yield ("Findings", "themes", "How themes are found", "method", method, "findings.themes_method")


def _named_quotes(figures: dict) -> dict:
    """Themes' quotes and groups by name rather than id, for a reader of the CSV."""
    found = figures["findings"]
    names = {row["group_id"]: (row["group"], row["hub"]) for row in found["groups"]}
    sources = []
    for source in found["themes"]:
        themes = [
            {
                **theme,
                "groups named": "; ".join(_group_name(names, g) for g in theme["group_ids"]),
                "quotes": [
                    {"group": _group_name(names, quote["group_id"]), "text": quote["text"]}
                    for quote in theme["quotes"]
                ],
            }
            for theme in source["themes"]
        ]
        sources.append({**source, "themes": themes})
    return {**figures, "findings": {**found, "themes": sources}}


def _words(key: str) -> str:
    return MEASURES.get(key, key.replace("_", " "))


def _walk(value, path: list, section: str, breakdown: str, item: str) -> Iterator[tuple]:
    """One row per figure under ``value``; a row of a list is named by its hub, group, label
    or name (nested rows by both: "Alpha Maths Hub / Pupils' learning")."""
    key = ".".join(str(part) for part in path)
    if isinstance(value, dict):
        name_key = next((k for k in ROW_NAMES if isinstance(value.get(k), str)), None)
        named = " / ".join(filter(None, [item, value[name_key]])) if name_key else item
        for child, inner in value.items():
            if child in NOT_FIGURES or child in IDENTIFIERS or child == name_key:
                continue
            if isinstance(inner, list | dict):
                yield from _walk(inner, [*path, child], section, _words(child), named)
            else:
                yield (section, breakdown, named, _words(child), inner, f"{key}.{child}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, [*path, index], section, breakdown, item)
    else:
        yield (section, breakdown, item, _words(str(path[-1])), value, key)
