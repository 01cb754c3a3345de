"""What a report covers, and the small pieces every part of the collation shares."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from participants.models import Hub
from projects.models import AcademicYear, Project
from workgroups.models import (
    ATTENDED_STATUSES,
    LIVE_GROUP_STATUSES,
    Attendance,
    Session,
)

# Groups in the counts: published and not cancelled. Cancelled groups are listed apart and
# drafts (never published) are left out.
COUNTED_GROUP_STATUSES = LIVE_GROUP_STATUSES
UNKNOWN = "Not recorded"
DASH = "\N{EN DASH}"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Scope:
    """What a report covers: a project in a year, nationally or for one hub, as at ``now``."""

    project: Project
    year: AcademicYear
    hub: Hub | None = None
    now: datetime.datetime | None = None

    def q(self, path: str = "") -> Q:
        """Rows whose group (reached through ``path``, e.g. ``session__work_group__``) is in
        scope, whatever the group's status."""
        q = Q(**{f"{path}project": self.project, f"{path}academic_year": self.year})
        return q & Q(**{f"{path}hub": self.hub}) if self.hub else q

    def counted(self, path: str = "") -> Q:
        """Rows whose group is in scope and in the counts (not cancelled, not a draft)."""
        return self.q(path) & Q(**{f"{path}status__in": COUNTED_GROUP_STATUSES})

    def held(self, path: str = "") -> Q:
        """Sessions (reached through ``path``) that have been held: begun and not cancelled."""
        return Q(**{f"{path}cancelled": False, f"{path}starts_at__lt": self.now})

    def attended(self, registration: str) -> Exists:
        """Whether the registration(s) at ``registration`` (an ``OuterRef`` path) were present
        or late at a held session. The scope is repeated inside, so that a plan which reads the
        subquery once for every row reads only this scope's marks."""
        return Exists(
            Attendance.objects.filter(
                self.counted("session__work_group__"),
                self.held("session__"),
                status__in=ATTENDED_STATUSES,
                **{registration: OuterRef("pk")},
            )
        )

    def first_held(self, group: str = "work_group") -> Subquery:
        """When the outer row's group first met: the start of its first held session."""
        return Subquery(
            Session.objects.filter(self.held(), work_group=OuterRef(group))
            .order_by("starts_at")
            .values("starts_at")[:1]
        )


def percent(part: int | None, whole: int | None) -> float | None:
    """``part`` as a percentage of ``whole``, to one place; ``None`` when there is no whole."""
    return round(100 * part / whole, 1) if whole else None
