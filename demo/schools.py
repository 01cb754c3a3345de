"""Fictional schools in the hubs' local authorities, including a few academy conversions."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from demo import words
from demo.catalogue import town_name
from demo.context import Context, apportion
from participants.models import School, SchoolPhase, SchoolStatus

FIRST_URN = 100_000
ALL_YEARS = frozenset({"previous", "current", "next"})
PHASE_WEIGHTS = {
    SchoolPhase.PRIMARY: 70,
    SchoolPhase.SECONDARY: 16,
    SchoolPhase.ALL_THROUGH: 2,
    SchoolPhase.NURSERY: 3,
    SchoolPhase.SIXTEEN_PLUS: 3,
    SchoolPhase.MIDDLE_PRIMARY: 1,
    SchoolPhase.MIDDLE_SECONDARY: 1,
    SchoolPhase.NOT_APPLICABLE: 2,
}
PUPILS = {
    SchoolPhase.PRIMARY: (90, 650),
    SchoolPhase.SECONDARY: (500, 1800),
    SchoolPhase.ALL_THROUGH: (900, 2200),
    SchoolPhase.NURSERY: (40, 140),
    SchoolPhase.SIXTEEN_PLUS: (400, 2500),
    SchoolPhase.MIDDLE_PRIMARY: (250, 600),
    SchoolPhase.MIDDLE_SECONDARY: (300, 700),
    SchoolPhase.NOT_APPLICABLE: (40, 200),
}
# Roughly the middle of each region, in metres on the British National Grid (as GIAS gives
# schools' positions): demo schools are placed around them, so the catalogue shows distances.
REGION_CENTRES = {
    "North East": (425_000, 560_000),
    "North West": (360_000, 450_000),
    "Yorkshire and the Humber": (445_000, 440_000),
    "East Midlands": (470_000, 330_000),
    "West Midlands": (390_000, 290_000),
    "East of England": (570_000, 260_000),
    "London": (530_000, 180_000),
    "South East": (500_000, 140_000),
    "South West": (300_000, 100_000),
}
NOUNS = {
    SchoolPhase.PRIMARY: ["Primary School", "Primary School", "Junior and Infant School"],
    SchoolPhase.SECONDARY: ["High School", "School", "Community College"],
    SchoolPhase.ALL_THROUGH: ["All-through School"],
    SchoolPhase.NURSERY: ["Nursery School"],
    SchoolPhase.SIXTEEN_PLUS: ["Sixth Form College"],
    SchoolPhase.MIDDLE_PRIMARY: ["Middle School"],
    SchoolPhase.MIDDLE_SECONDARY: ["Middle School"],
    SchoolPhase.NOT_APPLICABLE: ["Special School"],
}
ACADEMY_NOUNS = {
    SchoolPhase.PRIMARY: "Primary Academy",
    SchoolPhase.SECONDARY: "Academy",
    SchoolPhase.ALL_THROUGH: "Academy",
}
MAINTAINED_TYPES = ["Community school", "Voluntary aided school", "Voluntary controlled school"]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(eq=False)
class SchoolInfo:
    """A school and the school years in which it could have taken part (open, state-funded)."""

    model: School
    years: frozenset[str]
    predecessor: SchoolInfo | None = None
    successor: SchoolInfo | None = None

    @property
    def lineage(self) -> list[SchoolInfo]:
        return [self, self.predecessor] if self.predecessor else [self]


@dataclass
class SchoolPools:
    """Schools by hub and by region, for each GIAS phase, in a fixed order."""

    by_hub: dict = field(default_factory=lambda: defaultdict(list))
    by_region: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, info: SchoolInfo) -> None:
        school = info.model
        self.by_hub[school.hub.pk, school.phase].append(info)
        self.by_region[school.region.pk, school.phase].append(info)


class SchoolMaker:
    """Makes schools one at a time, keeping names unique and URNs in sequence."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rng = ctx.rng("schools")
        self.names: set[str] = set()
        self.towns: dict[int, list[str]] = {}
        self.area_codes: dict[int, str] = {}
        self.infos: list[SchoolInfo] = []
        # Positions have their own random source, so adding them changed no other demo data.
        self.place_rng = ctx.rng("school-positions")
        self.centres: dict[tuple, tuple[int, int]] = {}

    def _around(self, key: tuple, centre: tuple[int, int], spread: int) -> tuple[int, int]:
        if key not in self.centres:
            east, north = centre
            self.centres[key] = (
                max(0, east + self.place_rng.randint(-spread, spread)),
                max(0, north + self.place_rng.randint(-spread, spread)),
            )
        return self.centres[key]

    def _position(self, school: School) -> None:
        """A place near the school's town, its town near the middle of its local authority."""
        region = school.region.name if school.region else ""
        centre = REGION_CENTRES.get(region, (450_000, 300_000))
        authority = self._around(("authority", school.local_authority.pk), centre, 35_000)
        town = self._around(("town", school.local_authority.pk, school.town), authority, 8_000)
        school.easting = max(0, town[0] + self.place_rng.randint(-1_500, 1_500))
        school.northing = max(0, town[1] + self.place_rng.randint(-1_500, 1_500))

    def make(self, hub) -> SchoolInfo:
        rng = self.rng
        authority = rng.choice(self.ctx.authorities[hub.pk])
        town = rng.choice(self._towns(authority))
        phase = rng.choices(list(PHASE_WEIGHTS), weights=list(PHASE_WEIGHTS.values()))[0]
        school = School(
            urn=FIRST_URN + len(self.infos),
            phase=phase,
            local_authority=authority,
            region=hub.region,
            hub=hub,
            town=town,
            postcode=self._postcode(authority, town),
            fsm_percentage=Decimal(str(round(min(rng.betavariate(1.6, 4.5) * 70, 70), 1))),
            number_of_pupils=rng.randint(*PUPILS[phase]),
            opened_on=datetime.date(rng.randint(1950, 2015), rng.randint(1, 12), 1),
        )
        years = self._kind_and_status(school)
        school.name = self._name(school)
        self._position(school)
        return self._keep(SchoolInfo(school, years))

    def _kind_and_status(self, school: School) -> frozenset[str]:
        """Type, funding and status; returns the years the school could take part in."""
        roll = self.rng.random()
        if roll < 0.05:
            school.is_state_funded = False
            school.type_group = "Independent schools"
            school.establishment_type = "Other independent school"
        elif school.phase == SchoolPhase.SIXTEEN_PLUS:
            school.type_group, school.establishment_type = "Colleges", "Sixth form centres"
        elif roll < 0.5:
            school.type_group = "Academies"
            school.establishment_type = self.rng.choice(
                ["Academy converter", "Academy sponsor led"]
            )
        else:
            school.type_group = "Local authority maintained schools"
            school.establishment_type = self.rng.choice(MAINTAINED_TYPES)
        status_roll = self.rng.random()
        if status_roll < 0.03:
            school.status = SchoolStatus.CLOSED
            school.closed_on = datetime.date(self.rng.randint(2012, 2022), 8, 31)
            return frozenset()
        if status_roll < 0.04:
            school.status = SchoolStatus.PROPOSED_TO_CLOSE
            return frozenset({"previous", "current"}) if school.is_state_funded else frozenset()
        return ALL_YEARS if school.is_state_funded else frozenset()

    def _name(self, school: School) -> str:
        rng = self.rng
        for _ in range(20):
            word = rng.choice(words.SCHOOL_WORDS)
            noun = rng.choice(NOUNS[school.phase])
            if school.type_group == "Academies" and school.phase in ACADEMY_NOUNS:
                noun = ACADEMY_NOUNS[school.phase]
            if school.phase == SchoolPhase.PRIMARY and rng.random() < 0.2:
                word = f"{rng.choice(words.SAINTS)} {rng.choice(words.FAITHS)}"
            if not school.is_state_funded:
                noun = "Preparatory School" if school.phase == SchoolPhase.PRIMARY else "College"
            name = f"{school.town} {word} {noun}"
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def _towns(self, authority) -> list[str]:
        if authority.pk not in self.towns:
            count = self.rng.randint(3, 8)
            simple = len(authority.name.split()) == 1
            towns = [authority.name] if simple else []
            towns += [town_name(self.rng) for _ in range(count - len(towns))]
            self.towns[authority.pk] = towns
        return self.towns[authority.pk]

    def _postcode(self, authority, town: str) -> str:
        if authority.pk not in self.area_codes:
            letters = "".join(c for c in authority.name.upper() if c.isalpha())
            self.area_codes[authority.pk] = letters[0] + self.rng.choice(POSTCODE_LETTERS)
        district = 1 + sum(map(ord, town)) % 30
        inward = f"{self.rng.randint(1, 9)}{''.join(self.rng.choices(POSTCODE_LETTERS, k=2))}"
        return f"{self.area_codes[authority.pk]}{district} {inward}"

    def _keep(self, info: SchoolInfo) -> SchoolInfo:
        self.infos.append(info)
        return info

    def convert(self, info: SchoolInfo, on: datetime.date) -> SchoolInfo:
        """Close a maintained school the day before ``on`` and open its academy that day."""
        old = info.model
        old.status, old.closed_on = SchoolStatus.CLOSED, on - datetime.timedelta(days=1)
        info.years = frozenset({"previous"})
        academy = School(
            urn=FIRST_URN + len(self.infos),
            name=old.name.replace(NOUNS[old.phase][0], ACADEMY_NOUNS[old.phase]),
            phase=old.phase,
            type_group="Academies",
            establishment_type="Academy converter",
            local_authority=old.local_authority,
            region=old.region,
            hub=old.hub,
            town=old.town,
            postcode=old.postcode,
            easting=old.easting,
            northing=old.northing,
            fsm_percentage=old.fsm_percentage,
            number_of_pupils=old.number_of_pupils,
            opened_on=on,
            predecessor_urns=[old.urn],
        )
        self.names.add(academy.name)
        successor = self._keep(SchoolInfo(academy, frozenset({"current", "next"}), info))
        info.successor = successor
        return successor


def build(ctx: Context) -> SchoolPools:
    maker = SchoolMaker(ctx)
    weights = [ctx.hub_weights[hub.pk] for hub in ctx.hubs]
    for hub, count in zip(ctx.hubs, apportion(ctx.scale.schools, weights), strict=True):
        for _ in range(count):
            maker.make(hub)
    _conversions(ctx, maker)
    School.objects.bulk_create([info.model for info in maker.infos], batch_size=2000)
    ctx.schools = maker.infos
    pools = SchoolPools()
    for info in maker.infos:
        pools.add(info)
    return pools


def _conversions(ctx: Context, maker: SchoolMaker) -> None:
    """About one school in forty became an academy this September; at least one per hub."""
    on = ctx.years["current"].starts_on
    candidates = defaultdict(list)
    for info in maker.infos:
        school = info.model
        if (
            info.years == ALL_YEARS
            and school.type_group == "Local authority maintained schools"
            and school.phase in ACADEMY_NOUNS
            and NOUNS[school.phase][0] in school.name
        ):
            candidates[school.hub.pk].append(info)
    rng = ctx.rng("conversions")
    for hub in ctx.hubs:
        pool = candidates[hub.pk]
        count = min(len(pool), max(1, len(pool) // 40))
        for info in rng.sample(pool, count):
            maker.convert(info, on)
