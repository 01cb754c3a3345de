"""Turn a report's stored figures into its page, its CSV and its PDF.

Nothing here counts anything: every number comes from ``NationalReport.figures``, so the page,
the CSV and the PDF always agree. Charts are plain SVG drawn on the server (bar geometry is
worked out here), each with a data table beside it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.template.loader import render_to_string

from core.csv import write_rows
from evaluations.models import NationalReport

CHART_WIDTH = 640
LABEL_WIDTH = 250
BAR_SPACE = 320
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_CHARS = 28


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, float | None]], unit: str = ""):
    """The drawing of a horizontal bar chart: one bar per ``(label, value)`` row."""
    top = max((value or 0 for _, value in rows), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(rows):
        width = round(BAR_SPACE * (value or 0) / top, 1)
        shown = "no data" if value is None else f"{value:g}{unit}"
        bars.append(
            {
                "label": label,
                "short_label": label
                if len(label) <= LABEL_CHARS
                else label[: LABEL_CHARS - 1] + "…",
                "value": value,
                "shown": shown,
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


def charts(figures: dict) -> dict:
    """The report's charts, keyed by where they appear on the page."""
    reach = figures["reach"]["by_hub"]
    distribution = figures["engagement"]["attendance_distribution"]
    return {
        "reach": bar_chart(
            "chart-reach",
            "Schools that completed, by hub",
            [(row["hub"], row["schools_completed"]) for row in reach],
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
    }


def report_context(report: NationalReport) -> dict:
    figures = report.figures
    drawn = charts(figures)
    area_charts = [
        {"area": area, "chart": chart}
        for area, chart in zip(figures["outcomes"]["areas"], drawn["areas"], strict=True)
    ]
    return {"report": report, "figures": figures, "charts": drawn, "area_charts": area_charts}


def render_pdf(report: NationalReport) -> bytes:
    """The whole report, charts included, as a PDF (WeasyPrint)."""
    from weasyprint import HTML  # imported here: it loads fonts and is only needed for PDFs

    html = render_to_string("reports/report_pdf.html", report_context(report))
    return HTML(string=html).write_pdf()


def render_csv(report: NationalReport) -> str:
    """Every stored figure as rows of section, breakdown, item, measure, value."""
    buffer = io.StringIO()
    header = ["Section", "Breakdown", "Item", "Measure", "Value"]
    write_rows(buffer, header, csv_rows(report.figures))
    return buffer.getvalue()


def csv_rows(figures: dict) -> Iterator[tuple]:
    yield from _headline_rows(figures)
    yield from _reach_rows(figures["reach"])
    yield from _engagement_rows(figures["engagement"])
    yield from _outcome_rows(figures["outcomes"])
    yield from _finding_rows(figures["findings"])


def _headline_rows(figures: dict) -> Iterator[tuple]:
    for row in figures["headline"]:
        yield ("Headline", "", row["label"], row["unit"] or "count", row["value"])
    comparison = figures.get("comparison")
    for row in comparison["rows"] if comparison else []:
        label = f"Change since {comparison['year']}"
        yield ("Comparison", label, row["label"], "previous", row["previous"])
        yield ("Comparison", label, row["label"], "change", row["delta"])


def _reach_rows(reach: dict) -> Iterator[tuple]:
    for row in reach["participants"]["by_role"]:
        yield ("Reach", "Participants by role", row["label"], "participants", row["count"])
    measures = [
        "groups",
        "groups_completed",
        "groups_cancelled",
        "schools_confirmed",
        "schools_completed",
        "participants",
    ]
    for row in reach["by_hub"]:
        for measure in measures:
            yield ("Reach", "By hub", row["hub"], measure.replace("_", " "), row[measure])
    for breakdown, key in (("By region", "by_region"), ("By phase", "by_phase")):
        for row in reach[key]:
            for measure in measures[3:]:
                yield ("Reach", breakdown, row["label"], measure.replace("_", " "), row[measure])
    disadvantage = reach["disadvantage"]
    yield (
        "Reach",
        "Disadvantage",
        "National median FSM %",
        "per cent",
        disadvantage["national_median_fsm"],
    )
    yield (
        "Reach",
        "Disadvantage",
        "Schools with a known FSM %",
        "schools",
        disadvantage["schools_with_fsm"],
    )
    yield (
        "Reach",
        "Disadvantage",
        "Schools above the median",
        "schools",
        disadvantage["schools_above_median"],
    )


def _engagement_rows(engagement: dict) -> Iterator[tuple]:
    attendance = engagement["attendance"]
    yield ("Engagement", "Attendance", "All sessions held", "marks", attendance["marks"])
    yield (
        "Engagement",
        "Attendance",
        "All sessions held",
        "present or late",
        attendance["attended"],
    )
    for row in engagement["attendance_distribution"]:
        yield ("Engagement", "Groups by attendance rate", row["label"], "groups", row["groups"])
    for row in engagement["by_hub"]:
        for measure in (
            "sessions_held",
            "marks",
            "attended",
            "attendance_rate",
            "gap_tasks_set",
            "gap_task_responses",
        ):
            yield ("Engagement", "By hub", row["hub"], measure.replace("_", " "), row[measure])


def _outcome_rows(outcomes: dict) -> Iterator[tuple]:
    for area in outcomes["areas"]:
        for row in area["ratings"]:
            yield (
                "Outcomes",
                area["name"],
                f"{row['rating']} {row['label']}",
                "groups",
                row["count"],
            )
        yield ("Outcomes", area["name"], "Not rated", "groups", area["not_rated"])
        yield ("Outcomes", area["name"], "Gave evidence", "groups", area["groups_with_evidence"])
        yield ("Outcomes", area["name"], "Mean rating", "1 to 4", area["mean_rating"])
        for hub in area["by_hub"]:
            for rating, count in enumerate(hub["ratings"], start=1):
                yield ("Outcomes", f"{area['name']} by hub", hub["hub"], f"rated {rating}", count)
    for row in outcomes["evaluations_by_hub"]:
        for measure in ("expected", "submitted", "signed_off", "returned"):
            yield ("Evaluations", "By hub", row["hub"], measure.replace("_", " "), row[measure])


def _finding_rows(findings: dict) -> Iterator[tuple]:
    for area in findings["areas"]:
        for theme in area["themes"]:
            groups = "; ".join(theme["groups"])
            yield ("Themes", area["name"], theme["term"], f"groups: {groups}", theme["score"])
        for row in area["evidence"]:
            yield (
                "Evidence",
                area["name"],
                f"{row['group']} ({row['hub']})",
                f"rated {row['rating'] or 'none'}",
                row["evidence"],
            )
    for row in findings["groups"]:
        item = f"{row['group']} ({row['hub']})"
        yield ("Findings", "Key findings", item, "text", row["key_findings"])
        yield ("Findings", "Recommendations", item, "text", row["recommendations"])
