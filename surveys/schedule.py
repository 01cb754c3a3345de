"""When each survey of a group may be answered: the one statement of the rule.

- The **start** survey opens on the day of the group's first session, or as soon as the group
  is marked running, and closes when the end survey opens: a later answer would not be a
  starting point.
- The **end** survey opens on the day of the group's last session and stays open for
  ``END_OPEN_DAYS`` days after it.

Sessions are the group's sessions that are not cancelled; days are the site's local days.
Nothing opens in a cancelled or draft group.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from surveys.models import Occasion
from workgroups.models import UNDER_WAY_GROUP_STATUSES, Session, WorkGroupStatus

END_OPEN_DAYS = 42
# A reminder goes this many days after the "survey open" email, if it is still unanswered.
REMINDER_AFTER_DAYS = 7
NEVER_OPEN = (WorkGroupStatus.CANCELLED, WorkGroupStatus.DRAFT)


class State:
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Window:
    """One occasion's window for one group, as it stands on ``today``."""

    occasion: str
    state: str
    opens_on: datetime.date | None
    closes_on: datetime.date | None

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def has_opened(self) -> bool:
        return self.state != State.NOT_YET


def with_session_days(groups: QuerySet) -> QuerySet:
    """Annotate ``first_session_at`` and ``last_session_at`` (sessions not cancelled).

    Two subqueries, each one step down the (group, start) index, rather than an aggregate:
    grouping would make the database group by every column the caller selects."""
    held = Session.objects.filter(work_group=OuterRef("pk"), cancelled=False)
    return groups.annotate(
        first_session_at=Subquery(held.order_by("starts_at").values("starts_at")[:1]),
        last_session_at=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
    )


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def start_window(group, today: datetime.date) -> Window:
    """Needs ``with_session_days``."""
    first, last = _day(group.first_session_at), _day(group.last_session_at)
    closes_on = last - datetime.timedelta(days=1) if last else None
    if group.status in NEVER_OPEN:
        state = State.CLOSED if group.status == WorkGroupStatus.CANCELLED else State.NOT_YET
    elif last is not None and last <= today:
        state = State.CLOSED
    elif group.status in UNDER_WAY_GROUP_STATUSES or (first is not None and first <= today):
        state = State.OPEN
    else:
        state = State.NOT_YET
    return Window(Occasion.START, state, first, closes_on)


def end_window(group, today: datetime.date) -> Window:
    """Needs ``with_session_days``."""
    last = _day(group.last_session_at)
    closes_on = last + datetime.timedelta(days=END_OPEN_DAYS) if last else None
    if group.status == WorkGroupStatus.CANCELLED:
        state = State.CLOSED
    elif group.status in NEVER_OPEN or last is None or today < last:
        state = State.NOT_YET
    elif today <= closes_on:
        state = State.OPEN
    else:
        state = State.CLOSED
    return Window(Occasion.END, state, last, closes_on)


def window(group, occasion: str, today: datetime.date) -> Window:
    return (start_window if occasion == Occasion.START else end_window)(group, today)
