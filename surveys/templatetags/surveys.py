"""Survey pieces other pages include: a group's averages for its leads, the notice of surveys
waiting for a participant, and the drawing of the impact chart."""

from __future__ import annotations

import math
import textwrap

from django import template

from surveys import due, impact, rules

register = template.Library()

# The impact chart: one row per outcome area, its name (wrapped) above an interval line. Narrow
# enough that its 12-unit text stays legible when a phone shrinks it to the screen's width.
CHART_WIDTH = 360
PLOT_LEFT = 12
PLOT_RIGHT = 340
LABEL_CHARS = 46
LINE_HEIGHT = 15
AXIS_HEIGHT = 30
TICK = 0.5


@register.inclusion_tag("surveys/_group_summary.html", takes_context=True)
def survey_group_summary(context, group):
    """The group's survey averages, for whoever may see them (nothing for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not rules.may_see_summary(user, group):
        return {"summary": None}
    return {"summary": impact.group_summary(group), "group": group}


@register.inclusion_tag("surveys/_due_notice.html", takes_context=True)
def surveys_due_notice(context):
    """The surveys open for the signed-in participant, with links (nothing when none)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    return {"items": [item for item in due.surveys_for(user) if item.is_due]}


def _bounds(areas: list[dict]) -> tuple[float, float]:
    """The axis: from at most -0.5 to at least 1.5, widened in steps of ``TICK``."""
    shown = [a for a in areas if not a.get("suppressed")]
    low = min([-TICK, *(a["effect_low"] for a in shown if a.get("effect_low") is not None)])
    high = max([3 * TICK, *(a["effect_high"] for a in shown if a.get("effect_high") is not None)])
    return math.floor(low / TICK) * TICK, math.ceil(high / TICK) * TICK


@register.simple_tag
def impact_chart(areas: list[dict]) -> dict:
    """Where to draw each area's effect size and interval (an SVG with its table beside it)."""
    low, high = _bounds(areas or [])
    span = PLOT_RIGHT - PLOT_LEFT

    def x(value: float) -> float:
        return round(PLOT_LEFT + span * (value - low) / (high - low), 1)

    rows, top = [], 0
    for area in areas or []:
        drawn = not area.get("suppressed") and area.get("effect_size") is not None
        label = f"{area['name']}: g {area['effect_size']:.2f}" if drawn else area["name"]
        lines = textwrap.wrap(label, LABEL_CHARS) or [""]
        labels = [
            {"text": text, "y": top + LINE_HEIGHT * (n + 1) - 3} for n, text in enumerate(lines)
        ]
        line_y = top + LINE_HEIGHT * len(lines) + 12
        row = {"area": area, "labels": labels, "line_y": line_y, "drawn": drawn}
        if drawn:
            row.update(
                x=x(area["effect_size"]), x_low=x(area["effect_low"]), x_high=x(area["effect_high"])
            )
        rows.append(row)
        top = line_y + 14
    count = round((high - low) / TICK)
    ticks = [{"x": x(low + i * TICK), "label": f"{low + i * TICK:g}"} for i in range(count + 1)]
    return {
        "rows": rows,
        "ticks": ticks,
        "zero_x": x(0),
        "width": CHART_WIDTH,
        "plot_height": max(top, 20),
        "height": max(top, 20) + AXIS_HEIGHT,
        "axis_y": max(top, 20) + 2,
        "tick_label_y": max(top, 20) + 18,
        "plot_left": PLOT_LEFT,
        "plot_right": PLOT_RIGHT,
    }
