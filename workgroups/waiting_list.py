"""The waiting list explained to hub staff: each waiting school's position and why.

The order itself is ``workgroups.models.WAITING_ORDER`` (and ``waiting_key``); this module only
puts it into words, from a place read with its school, its group's project and its position
(``waitlist_position_subquery``).
"""

from __future__ import annotations

from django.utils import timezone

from projects.models import Oversubscription
from workgroups.models import Place, PlaceStatus

RULE_IN_WORDS = {
    Oversubscription.FIRST_COME: "first come, first served",
    Oversubscription.DISADVANTAGE_FIRST: (
        "this project fills places with schools with more disadvantaged pupils first"
    ),
}


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def asked_on(place: Place) -> str:
    return f"asked on {timezone.localtime(place.requested_at):%-d %B %H:%M}"


def fsm_in_words(place: Place) -> str:
    figure = place.school.fsm_percentage
    if figure is None:
        return "no free school meals figure, so after every school with one"
    return f"{figure}% free school meals"


def why(place: Place, position: int | None) -> str:
    """``"2nd: 41.2% free school meals; asked on …; this project fills places with schools
    with more disadvantaged pupils first"`` or ``"3rd: asked on 4 September 10:02; first come,
    first served"``; empty for a place not waiting."""
    if place.status != PlaceStatus.WAITLISTED or not position:
        return ""
    rule = place.work_group.project.oversubscription
    if rule == Oversubscription.DISADVANTAGE_FIRST:
        # The time asked settles a tie between equal figures.
        return (
            f"{ordinal(position)}: {fsm_in_words(place)}; {asked_on(place)}; {RULE_IN_WORDS[rule]}"
        )
    return f"{ordinal(position)}: {asked_on(place)}; {RULE_IN_WORDS[Oversubscription.FIRST_COME]}"
