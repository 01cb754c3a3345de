"""What every step of the seed shares: the scale, the seeded random source, dates and pools.

Objects are built in memory and written in bulk at the end (see ``writer``), so the steps pass
unsaved model instances to each other; ``bulk_create`` fills in the keys in dependency order.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

SEED = "maths-hubs-demo"
DOMAIN = "demo.mathshub.test"


@dataclass(frozen=True)
class Scale:
    """How much to generate.

    ``focus_hubs`` hubs (the demo's among them) get ``focus_weight`` times the others' share of
    schools and groups. ``status_shares`` weighs ``delivery.STATUS_SLOTS``: last year's
    completed and cancelled groups, this year's running, full, recruiting and draft ones, next
    year's draft and recruiting ones. Nationally, last year (a complete national year, the one
    reports collate) has most groups.
    """

    name: str
    schools: int
    groups: int
    llmes: int
    focus_hubs: int
    focus_weight: int
    interests: int
    status_shares: tuple[int, ...]


SCALES = {
    "small": Scale("small", 300, 60, 100, 4, 8, 12, (40, 3, 30, 6, 8, 3, 4, 6)),
    "national": Scale("national", 25_000, 2_000, 2_000, 0, 1, 600, (66, 2, 22, 2, 4, 1, 1, 2)),
}


def academic_year_start(day: datetime.date) -> int:
    """The calendar year in which the September-to-August school year containing ``day`` began."""
    return day.year if day.month >= 9 else day.year - 1


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def school_day(day: datetime.date) -> datetime.date:
    """The day itself, or the Monday after a weekend."""
    return day + datetime.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), summing exactly."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Pending:
    """Unsaved rows, per kind, in the order they were made."""

    rows: dict[str, list] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, obj) -> None:
        self.rows[kind].append(obj)

    def get(self, kind: str) -> list:
        return self.rows[kind]


@dataclass
class Context:
    scale: Scale
    today: datetime.date
    years: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)
    areas: list = field(default_factory=list)
    hubs: list = field(default_factory=list)
    hub_weights: dict = field(default_factory=dict)
    authorities: dict = field(default_factory=lambda: defaultdict(list))
    projects: list = field(default_factory=list)
    schools: list = field(default_factory=list)
    showcase: dict = field(default_factory=dict)
    llme_phases: dict = field(default_factory=dict)
    managers: dict = field(default_factory=dict)
    pending: Pending = field(default_factory=Pending)
    _rngs: dict = field(default_factory=dict)

    def rng(self, step: str) -> random.Random:
        """Each step's own seeded random source, so one step's changes leave others alone.

        Demo data needs repeatability, not secrecy: never used for codes or tokens.
        """
        if step not in self._rngs:
            self._rngs[step] = random.Random(f"{SEED}:{self.scale.name}:{step}")  # noqa: S311
        return self._rngs[step]
