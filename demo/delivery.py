"""Offers and groups in every status across three school years, with sessions and places.

Previous year: completed (and a few cancelled) groups. Current year: running, full, recruiting
and a few draft groups. Next year: draft and recruiting. Dates hang off the academic years and
today, so the same day always gives the same data.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from demo import activity, places, sessions
from demo.context import Context, apportion
from projects.models import ActivityType, Offer, Recruitment
from workgroups.models import DeliveryMode, Session, WorkGroup, WorkGroupStatus

S = WorkGroupStatus
# Every (year, status) a group can have; a scale says what share of groups each gets.
STATUS_SLOTS = [
    ("previous", S.COMPLETED),
    ("previous", S.CANCELLED),
    ("current", S.RUNNING),
    ("current", S.FULL),
    ("current", S.RECRUITING),
    ("current", S.DRAFT),
    ("next", S.DRAFT),
    ("next", S.RECRUITING),
]
YEARS = ("previous", "current", "next")
# Chance of each project being picked, by activity type (there are many more Work Groups).
PROJECT_WEIGHTS = {
    ActivityType.WORK_GROUP: 1.0,
    ActivityType.PROGRAMME: 0.4,
    ActivityType.COMMUNITY: 0.8,
    ActivityType.TARGETED_SUPPORT: 2.0,
}
CAPACITY = {
    ActivityType.WORK_GROUP: (6, 10),
    ActivityType.PROGRAMME: (8, 14),
    ActivityType.COMMUNITY: (8, 14),
    ActivityType.TARGETED_SUPPORT: (1, 1),
}
MODES = [DeliveryMode.FACE_TO_FACE] * 5 + [DeliveryMode.ONLINE] * 3 + [DeliveryMode.BLENDED] * 2
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Slot:
    year: str
    status: str
    showcase: str = ""


# The showcase hub's groups: the demo lead leads all but the follow-on; the demo teacher's
# school takes a place in the first; last year's group of the same project feeds the
# follow-on (a prior-participation project), so the demo shows history at work.
SHOWCASE_SLOTS = [
    Slot("current", S.RUNNING, "teacher"),
    Slot("current", S.FULL, "lead"),
    Slot("current", S.RECRUITING, "lead"),
    Slot("previous", S.COMPLETED, "previous"),
    Slot("current", S.RUNNING, "follow-on"),
]
LED_BY_DEMO_LEAD = {"teacher", "lead", "previous"}


@dataclass
class GroupBuild:
    model: WorkGroup
    project: object
    year: str
    leads: list
    sessions: list[Session] = field(default_factory=list)
    places: list[places.PlaceBuild] = field(default_factory=list)
    attendance: list[tuple] = field(default_factory=list)
    showcase: str = ""
    topic: str = ""
    host: object = None


class Delivery:
    def __init__(self, ctx: Context, people, pools, llmes: dict):
        self.ctx, self.people, self.pools, self.llmes = ctx, people, pools, llmes
        self.rng = ctx.rng("delivery")
        self.ledger = places.Ledger()
        self.load: Counter = Counter()
        self.builds: list[GroupBuild] = []
        self._pool_cache: dict = {}

    def run(self) -> list[GroupBuild]:
        slots = self._slots()
        for year in YEARS:
            for hub in self.ctx.hubs:
                for slot in slots[hub.pk]:
                    if slot.year == year:
                        self.builds.append(self._group(hub, slot))
        _offers(self.ctx, self.builds)
        return self.builds

    def _slots(self) -> dict[int, list[Slot]]:
        """Every hub's share of the groups; statuses dealt from fixed quotas so all appear."""
        counts = apportion(self.ctx.scale.groups, list(self.ctx.scale.status_shares))
        deck = [
            Slot(year, status)
            for (year, status), count in zip(STATUS_SLOTS, counts, strict=True)
            for _ in range(count)
        ]
        for slot in SHOWCASE_SLOTS:
            deck.remove(Slot(slot.year, slot.status))
        self.rng.shuffle(deck)
        hub_counts = apportion(len(deck), [self.ctx.hub_weights[hub.pk] for hub in self.ctx.hubs])
        slots, start = {}, 0
        for hub, count in zip(self.ctx.hubs, hub_counts, strict=True):
            showcase = SHOWCASE_SLOTS if hub == self.ctx.showcase["hub"] else []
            slots[hub.pk] = [*showcase, *deck[start : start + count]]
            start += count
        return slots

    def _group(self, hub, slot: Slot) -> GroupBuild:
        project = self._project(hub, slot)
        build = GroupBuild(
            self._new_group(hub, slot, project),
            project,
            slot.year,
            self._leads(hub, project, slot),
            showcase=slot.showcase,
            topic=activity.topic(self.rng, project),
        )
        schools, statuses = self._schools_and_statuses(build, hub, slot)
        self._describe(build, hub, schools)
        build.sessions = sessions.schedule(self.ctx, self.rng, build)
        self._places(build, schools, statuses)
        activity.attend(self.ctx, build)
        for place in build.places:
            self.ledger.record(place.info, project, slot.year, place.model.status)
        return build

    def _new_group(self, hub, slot: Slot, project) -> WorkGroup:
        group = WorkGroup(
            project=project.model,
            hub=hub,
            academic_year=self.ctx.years[slot.year],
            status=slot.status,
            capacity=self.rng.randint(*CAPACITY[project.activity_type]),
            delivery_mode=self._mode(project),
        )
        group.recruitment_opens, group.recruitment_closes = self._window(slot)
        return group

    def _schools_and_statuses(self, build: GroupBuild, hub, slot: Slot) -> tuple[list, list]:
        """The schools asking for places, in order, and each place's status."""
        group, project = build.model, build.project
        statuses = places.plan_statuses(
            self.rng, slot.status, group.capacity, project.model.needs_approval
        )
        if slot.showcase == "teacher":
            statuses = [status for status in statuses if status != places.PlaceStatus.WITHDRAWN]
        schools = self._schools(hub, project, slot, len(statuses))
        return schools, places.fit_to_schools(statuses, len(schools), group)

    def _project(self, hub, slot: Slot):
        """A project for the slot: prior-participation ones only where schools qualify."""
        projects = self.ctx.projects
        teachers = next(p for p in projects if _showcase_project(p) and _sends_several(p))
        if slot.showcase in ("teacher", "previous"):
            return teachers
        if slot.showcase == "follow-on":
            return next(p for p in projects if teachers in p.prerequisites)
        if slot.showcase:
            used = {b.project for b in self.builds if b.showcase and b.year == slot.year}
            choices = [p for p in projects if _showcase_project(p) and p not in used | {teachers}]
            return self.rng.choice(choices)
        while True:
            project = self.rng.choices(
                projects, weights=[PROJECT_WEIGHTS[p.activity_type] for p in projects]
            )[0]
            if project.model.recruitment != Recruitment.PRIOR_PARTICIPATION:
                return project
            # Completions this seed knows of are all last year's.
            if slot.year == "previous":
                continue
            if len(self.ledger.prior_candidates(project, hub.region, slot.year)) >= 2:
                return project

    def _mode(self, project) -> str:
        if project.activity_type == ActivityType.TARGETED_SUPPORT:
            return DeliveryMode.FACE_TO_FACE
        return self.rng.choice(MODES)

    def _window(self, slot: Slot) -> tuple[datetime.date, datetime.date]:
        """Recruitment windows: past for groups under way, open today for recruiting ones."""
        rng, today = self.rng, self.ctx.today
        start = self.ctx.years[slot.year].starts_on
        if slot.status in (S.RECRUITING, S.FULL):
            opens = today - rng.randint(10, 60) * DAY
            closes = max(today + rng.randint(14, 45) * DAY, start + 14 * DAY)
            return opens, closes
        if slot.status == S.DRAFT:
            opens = max(today + rng.randint(14, 30) * DAY, start - 120 * DAY)
            return opens, opens + rng.randint(30, 60) * DAY
        return start - rng.randint(100, 140) * DAY, start + rng.randint(10, 25) * DAY

    def _schools(self, hub, project, slot: Slot, wanted: int) -> list:
        """Schools for the places: the hub's own first, then its region's; prerequisites and
        'new schools only' respected, one place per school per project and year."""
        chosen: list = []
        if slot.showcase == "teacher":
            chosen.append(self.ctx.showcase["school"])
        if project.model.recruitment == Recruitment.PRIOR_PARTICIPATION:
            sources = [self.ledger.prior_candidates(project, hub.region, slot.year)]
        else:
            sources = [self._pool(hub, project, "hub"), self._pool(hub, project, "region")]
        if slot.year == "previous":
            # Schools that have since become academies: their history follows them.
            converted = [info for info in sources[0] if info.successor is not None]
            sources.insert(0, converted)

        def allowed(info) -> bool:
            # The demo teacher's school is new to the project this year.
            if slot.year == "previous" and info is self.ctx.showcase["school"]:
                return False
            return self.ledger.can_join(info, project, slot.year)

        for number, source in enumerate(sources):
            limit = len(chosen) + 1 if number == 0 and slot.year == "previous" else wanted
            self._sample(source, min(limit, wanted), chosen, allowed)
        return chosen

    def _sample(self, source: list, wanted: int, chosen: list, allowed) -> None:
        seen = {id(info) for info in chosen}
        for _ in range(4 * wanted + 12):
            if len(chosen) >= wanted or not source:
                return
            info = source[self.rng.randrange(len(source))]
            if id(info) not in seen and allowed(info):
                seen.add(id(info))
                chosen.append(info)

    def _pool(self, hub, project, scope: str) -> list:
        key = (hub.pk if scope == "hub" else hub.region.pk, scope, id(project))
        if key not in self._pool_cache:
            pools = self.pools.by_hub if scope == "hub" else self.pools.by_region
            self._pool_cache[key] = [
                info for phase in sorted(project.school_phases) for info in pools[key[0], phase]
            ]
        return self._pool_cache[key]

    def _leads(self, hub, project, slot: Slot) -> list:
        """One or two of the hub's active LLMEs who know the phase, the least busy first."""
        if slot.showcase in LED_BY_DEMO_LEAD:
            return [self.ctx.showcase["lead"]]
        active = [llme for llme in self.llmes[hub.pk] if llme.active]
        phases = set(project.row.phases)
        fitting = [llme for llme in active if phases & set(self.ctx.llme_phases[id(llme)])]
        candidates = fitting or active or list(self.llmes[hub.pk])
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda llme: self.load[id(llme)])
        leads = candidates[: 2 if self.rng.random() < 0.2 else 1]
        for llme in leads:
            self.load[id(llme)] += 1
        return leads

    def _describe(self, build: GroupBuild, hub, schools: list) -> None:
        group, project = build.model, build.project
        host = schools[0].model if schools else self._host(hub, project, build.year)
        build.host = host
        if project.activity_type == ActivityType.TARGETED_SUPPORT:
            group.name = f"{project.model.title}: {host.name}"
        else:
            title, noun = project.model.title, project.model.group_noun
            # "… Impact Communities", not "… Impact Communities community".
            suffix = "" if noun.lower() in title.lower() else f" {noun}"
            group.name = f"{host.town} {title}{suffix}"
        if group.delivery_mode != DeliveryMode.ONLINE:
            group.venue = f"{host.name}, {host.town} {host.postcode}"
            group.venue_school = host

    def _host(self, hub, project, year: str):
        """An open school of the hub's (else its region's) to host a group with no places yet."""
        for scope in ("hub", "region"):
            pool = [info for info in self._pool(hub, project, scope) if year in info.years]
            if pool:
                return self.rng.choice(pool).model
        return self.rng.choice(self.ctx.schools).model

    def _places(self, build: GroupBuild, schools: list, statuses: list[str]) -> None:
        group = build.model
        times = places.request_times(
            self.rng,
            group.recruitment_opens,
            group.recruitment_closes,
            self.ctx.today,
            len(statuses),
        )
        finish = build.sessions[-1].ends_at if build.sessions else None
        teacher = self.ctx.showcase["teacher"] if build.showcase == "teacher" else None
        for info, status, requested in zip(schools, statuses, times, strict=True):
            model = places.make_place(
                self.rng, group, info, status, requested, self.ctx.today, finish
            )
            place = places.PlaceBuild(model, info)
            first = teacher if info is self.ctx.showcase["school"] else None
            places.register_people(self.rng, build.project, place, self.people, first)
            build.places.append(place)
        places.settle_withdrawals(build.places)


def _showcase_project(project) -> bool:
    """Open primary Work Group projects, for the demo lead's groups."""
    return (
        project.activity_type == ActivityType.WORK_GROUP
        and "primary" in project.row.phases
        and project.model.recruitment == Recruitment.OPEN
        and not project.model.needs_approval
    )


def _sends_several(project) -> bool:
    """The demo teacher's project: schools send more than one teacher."""
    return any(
        role.max_per_school > 1 and not role.name.startswith("Head") for role in project.roles
    )


def _offers(ctx: Context, builds: list[GroupBuild]) -> None:
    """One offer per hub, project and year that has groups, plus a few with none yet."""
    seen = set()
    rng = ctx.rng("offers")
    for build in builds:
        key = (build.model.hub.pk, id(build.project), build.year)
        if key not in seen:
            seen.add(key)
            ctx.pending.add("offer", _offer(ctx, build.model.hub, build.project, build.year))
    for hub in ctx.hubs:
        for year in ("current", "next"):
            project = rng.choice(ctx.projects)
            if (hub.pk, id(project), year) not in seen:
                seen.add((hub.pk, id(project), year))
                ctx.pending.add("offer", _offer(ctx, hub, project, year))


def _offer(ctx: Context, hub, project, year: str) -> Offer:
    start = ctx.years[year].starts_on
    manager = ctx.managers[hub.pk]
    return Offer(
        project=project.model,
        hub=hub,
        academic_year=ctx.years[year],
        contact_name=manager.get_full_name(),
        contact_email=manager.email,
        recruitment_opens=start - 120 * DAY,
        recruitment_closes=start + 30 * DAY,
    )
