"""How far a group meets from a teacher's school: a straight line on the British National Grid.

GIAS gives each school's easting and northing in metres (``School.easting``/``northing``); a
group that meets in person may name the school that hosts it (``WorkGroup.venue_school``). The
distance between the two is worked out by the database, so the catalogue can sort by it.
Online groups have no distance: they come after the groups that meet in person.
"""

from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Power, Sqrt

from participants.models import School
from workgroups.models import DeliveryMode

METRES_PER_MILE = 1609.344
IN_PERSON = (DeliveryMode.FACE_TO_FACE, DeliveryMode.BLENDED)


def has_position(school: School | None) -> bool:
    return school is not None and school.easting is not None and school.northing is not None


def distance_from(school: School | None, venue: str = "venue_school"):
    """An expression for a group's straight-line distance in metres from ``school`` to its
    venue school, for groups that meet in person; NULL when either has no position."""
    if not has_position(school):
        return Value(None, output_field=FloatField())
    east = F(f"{venue}__easting") - Value(school.easting)
    north = F(f"{venue}__northing") - Value(school.northing)
    metres = Sqrt(
        Power(east, Value(2), output_field=FloatField())
        + Power(north, Value(2), output_field=FloatField()),
        output_field=FloatField(),
    )
    return Case(
        When(delivery_mode__in=IN_PERSON, then=metres),
        default=Value(None, output_field=FloatField()),
        output_field=FloatField(),
    )


def in_miles(metres: float | None) -> str:
    """A distance as people say it: "under a mile", "about 3 miles", "about 45 miles"."""
    if metres is None:
        return ""
    miles = metres / METRES_PER_MILE
    if miles < 1:
        return "Under a mile"
    if miles < 1.5:
        return "About 1 mile"
    if miles < 20:
        return f"About {round(miles)} miles"
    return f"About {5 * round(miles / 5)} miles"
