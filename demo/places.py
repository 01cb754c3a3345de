"""Schools' places in groups and the people filling them, keeping the services' rules.

The rules held here are those of ``workgroups.eligibility`` and ``workgroups.services``:
open state-funded schools only; one active place per school per group (and, as a teacher can
hold only one registration per project and year, one per project and year); confirmed and
completed places never exceed capacity; a waiting list only behind a full group, in the order
schools asked; prerequisites completed (following academy conversions) and 'new schools only'.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from demo.context import at
from projects.models import Recruitment
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    TAKEN_PLACE_STATUSES,
    UNDER_WAY_GROUP_STATUSES,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroupStatus,
)

TAKEN = TAKEN_PLACE_STATUSES


@dataclass
class Ledger:
    """What schools have done so far, so later groups respect earlier ones."""

    per_year: set = field(default_factory=set)
    taken: set = field(default_factory=set)
    completers: dict = field(default_factory=lambda: defaultdict(list))

    def can_join(self, info, project, year: str) -> bool:
        if year not in info.years:
            return False
        key = id(project)
        if (id(info), key, year) in self.per_year:
            return False
        if project.model.recruitment == Recruitment.NEW_SCHOOLS_ONLY:
            return not any((id(school), key) in self.taken for school in info.lineage)
        return True

    def record(self, info, project, year: str, status: str) -> None:
        self.per_year.add((id(info), id(project), year))
        if status in TAKEN:
            self.taken.add((id(info), id(project)))
        if status == PlaceStatus.COMPLETED:
            self.completers[info.model.region.pk, id(project)].append(info)

    def prior_candidates(self, project, region, year: str) -> list:
        """Schools in ``region`` (or their academies) that completed a prerequisite."""
        found, seen = [], set()
        for pre in project.prerequisites:
            for info in self.completers[region.pk, id(pre)]:
                school = info if year in info.years else info.successor
                if school is not None and id(school) not in seen:
                    seen.add(id(school))
                    found.append(school)
        return found


def plan_statuses(rng, group_status: str, capacity: int, approval: bool) -> list[str]:
    """Place statuses in the order schools asked."""
    if group_status == WorkGroupStatus.DRAFT:
        return []
    if group_status == WorkGroupStatus.CANCELLED:
        return [PlaceStatus.WITHDRAWN] * rng.randint(0, 2)
    if group_status in UNDER_WAY_GROUP_STATUSES:
        taken = max(1, capacity - rng.choice([0, 0, 0, 1, 2]))
        done = group_status == WorkGroupStatus.COMPLETED
        kind = PlaceStatus.COMPLETED if done else PlaceStatus.CONFIRMED
        return _sprinkle(rng, [kind] * taken, PlaceStatus.WITHDRAWN, 0.3)
    if group_status == WorkGroupStatus.FULL:
        waiting = [PlaceStatus.WAITLISTED] * (rng.randint(1, 3) if capacity > 1 else 0)
        return _sprinkle(rng, [PlaceStatus.CONFIRMED] * capacity, PlaceStatus.WITHDRAWN, 0.3) + (
            waiting
        )
    statuses = [PlaceStatus.CONFIRMED] * rng.randint(0, max(0, capacity - 1))
    if approval:
        statuses += [PlaceStatus.PENDING] * rng.randint(1, 2)
        statuses = _sprinkle(rng, statuses, PlaceStatus.DECLINED, 0.4)
    return _sprinkle(rng, statuses, PlaceStatus.WITHDRAWN, 0.2)


def _sprinkle(rng, statuses: list[str], extra: str, chance: float) -> list[str]:
    if rng.random() < chance:
        statuses.insert(rng.randint(0, len(statuses)), extra)
    return statuses


def fit_to_schools(statuses: list[str], found: int, group) -> list[str]:
    """Fewer schools than planned: drop the latest requests; a full group keeps its waiting
    list by taking fewer places (and with no school at all, is still recruiting)."""
    if found >= len(statuses):
        return statuses
    if group.status == WorkGroupStatus.FULL and not found:
        group.status = WorkGroupStatus.RECRUITING
        return []
    if group.status == WorkGroupStatus.FULL:
        waiting = min(statuses.count(PlaceStatus.WAITLISTED), max(0, found - 1))
        group.capacity = max(1, found - waiting)
        return [PlaceStatus.CONFIRMED] * group.capacity + [PlaceStatus.WAITLISTED] * waiting
    return statuses[:found]


def request_times(rng, opens: datetime.date, closes: datetime.date, today, count: int):
    """Sorted, distinct request times inside the recruitment window and before today."""
    last = min(closes, today - datetime.timedelta(days=1))
    first = min(opens, last)
    span = (last - first).days
    times = {
        at(first + datetime.timedelta(days=rng.randint(0, span)), rng.randint(7, 21))
        + datetime.timedelta(minutes=rng.randint(0, 59), seconds=n)
        for n in range(count)
    }
    return sorted(times)


def settle_withdrawals(builds: list) -> None:
    """Schools that left a full group did so before the waiting list formed; otherwise the
    first school waiting would have been offered their place."""
    waiting = [b.model.requested_at for b in builds if b.model.status == PlaceStatus.WAITLISTED]
    if not waiting:
        return
    before = min(waiting) - datetime.timedelta(minutes=1)
    for build in builds:
        place = build.model
        if place.status == PlaceStatus.WITHDRAWN and place.decided_at > before:
            place.decided_at = max(place.requested_at, before)
            for registration in build.registrations:
                registration.withdrawn_at = place.decided_at


@dataclass
class PlaceBuild:
    model: Place
    info: object
    registrations: list[Registration] = field(default_factory=list)

    @property
    def active(self) -> list[Registration]:
        return [r for r in self.registrations if r.status == RegistrationStatus.ACTIVE]


def make_place(rng, group, info, status: str, requested_at, today, finish) -> Place:
    latest = at(today - datetime.timedelta(days=1), 17)
    decided = {
        PlaceStatus.CONFIRMED: requested_at
        + datetime.timedelta(days=rng.randint(2, 9) if group.project.needs_approval else 0),
        PlaceStatus.COMPLETED: finish,
        PlaceStatus.WITHDRAWN: requested_at + datetime.timedelta(days=rng.randint(5, 40)),
        PlaceStatus.DECLINED: requested_at + datetime.timedelta(days=3),
    }.get(status)
    return Place(
        work_group=group,
        school=info.model,
        status=status,
        requested_at=requested_at,
        decided_at=min(decided, latest) if decided else None,
    )


def people_for(rng, project, place: Place, people, first_user=None) -> list:
    """(role, user) pairs within the project's limits per role, with distinct people."""
    picks, chosen = [], []
    many_roles = len(project.roles) > 2
    for role in project.roles:
        count = role.max_per_school if rng.random() < 0.75 else rng.randint(1, role.max_per_school)
        if many_roles and rng.random() < 0.2:
            count = 0
        for _ in range(count):
            user = first_user if first_user is not None and not picks else None
            user = user or people.participant(place.school, role.name, project.row.phases, chosen)
            chosen.append(user)
            picks.append((role, user))
    if not picks:
        role = project.roles[0]
        picks.append((role, people.participant(place.school, role.name, project.row.phases, ())))
    return picks


def register_people(rng, project, build: PlaceBuild, people, first_user=None) -> None:
    place = build.model
    active = place.status in ACTIVE_PLACE_STATUSES
    for role, user in people_for(rng, project, place, people, first_user):
        build.registrations.append(
            Registration(
                place=place,
                work_group=place.work_group,
                user=user,
                role=role,
                status=RegistrationStatus.ACTIVE if active else RegistrationStatus.WITHDRAWN,
                withdrawn_at=None if active else place.decided_at,
            )
        )
    if place.status in TAKEN and rng.random() < 0.05:
        _add_withdrawn_colleague(rng, project, build, people)
    if place.requested_by is None and build.registrations:
        place.requested_by = build.registrations[0].user


def _add_withdrawn_colleague(rng, project, build: PlaceBuild, people) -> None:
    """Someone who signed up and later left; a colleague may have taken their role since."""
    place = build.model
    roles = [role for role in project.roles if not people.is_single_holder(role.name)]
    if not roles:
        return
    role = rng.choice(roles)
    taken = [r.user for r in build.registrations]
    user = people.participant(place.school, role.name, project.row.phases, taken)
    left = place.requested_at + datetime.timedelta(days=rng.randint(10, 60))
    build.registrations.append(
        Registration(
            place=place,
            work_group=place.work_group,
            user=user,
            role=role,
            status=RegistrationStatus.WITHDRAWN,
            withdrawn_at=min(left, at(people.ctx.today - datetime.timedelta(days=1), 17)),
        )
    )
