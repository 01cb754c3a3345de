"""Academic years, hubs, local authorities and the national projects, from the reference data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.text import slugify

from demo import reference, words
from demo.context import DOMAIN, Context, academic_year_start
from demo.people import LEADER_ROLES
from participants.models import Hub, LocalAuthority, Phase, Region
from projects.models import AcademicYear, OutcomeArea, ParticipantRole, Project, RoleHolder
from projects.reference import ensure_reference_data

# Which kinds of school (GIAS phase) each project phase is for.
SCHOOL_PHASES = {
    "early_years": {"nursery", "primary"},
    "primary": {"primary", "middle_primary", "all_through"},
    "secondary": {"secondary", "middle_secondary", "all_through"},
    "post_16": {"16_plus", "secondary"},
}
ACTIVITY_NOUNS = {
    "work_group": "Work Group",
    "programme": "programme",
    "community": "community of practice",
    "targeted_support": "support programme",
}
PHASE_NAMES = {
    "early_years": "early years",
    "primary": "primary",
    "secondary": "secondary",
    "post_16": "post-16",
}


@dataclass(eq=False)
class ProjectInfo:
    """A saved project with what the seed needs to know about it."""

    model: Project
    row: reference.ProjectRow
    roles: list[ParticipantRole]
    school_phases: set[str]
    prerequisites: list[ProjectInfo] = field(default_factory=list)

    @property
    def activity_type(self) -> str:
        return self.model.activity_type


def build(ctx: Context) -> None:
    ensure_reference_data()
    ctx.phases = {phase.code: phase for phase in Phase.objects.order_by("order")}
    ctx.areas = list(OutcomeArea.objects.order_by("order"))
    _years(ctx)
    _hubs(ctx)
    _authorities(ctx)
    _projects(ctx)


def _years(ctx: Context) -> None:
    start = academic_year_start(ctx.today)
    for key, year in (("previous", start - 1), ("current", start), ("next", start + 1)):
        ctx.years[key] = AcademicYear.objects.create(
            label=AcademicYear.label_for(year),
            starts_on=datetime.date(year, 9, 1),
            ends_on=datetime.date(year + 1, 8, 31),
        )


def _hubs(ctx: Context) -> None:
    regions = {region.name: region for region in Region.objects.all()}
    hubs = [
        Hub(
            name=row.name,
            slug=slugify(row.name),
            region=regions[row.region],
            area=row.area,
            lead_school=row.lead_school,
            contact_email=f"info@{slugify(row.name)}.{DOMAIN}",
        )
        for row in reference.load_hubs()
    ]
    ctx.hubs = Hub.objects.bulk_create(hubs)


def _authorities(ctx: Context) -> None:
    """The published local authorities, and made-up ones for hubs whose area is unpublished."""
    hubs = {hub.name: hub for hub in ctx.hubs}
    rows = [
        LocalAuthority(name=name, region=hubs[hub].region, hub=hubs[hub])
        for name, hub in reference.load_local_authorities()
    ]
    rng = ctx.rng("authorities")
    taken = {row.name for row in rows}
    covered = {row.hub.name for row in rows}
    for hub in ctx.hubs:
        if hub.name in covered:
            continue
        for _ in range(rng.randint(2, 4)):
            name = _authority_name(rng, taken)
            rows.append(LocalAuthority(name=name, region=hub.region, hub=hub))
    for authority in LocalAuthority.objects.bulk_create(rows):
        ctx.authorities[authority.hub.pk].append(authority)


def _authority_name(rng, taken: set[str]) -> str:
    while True:
        first, second = town_name(rng), town_name(rng)
        name = rng.choice(words.AUTHORITY_PATTERNS).format(a=first, b=second)
        if name not in taken:
            taken.add(name)
            return name


def town_name(rng) -> str:
    prefix = rng.choice(words.TOWN_PREFIXES) if rng.random() < 0.15 else ""
    return prefix + rng.choice(words.TOWN_STARTS) + rng.choice(words.TOWN_ENDS)


def _projects(ctx: Context) -> None:
    rows = reference.load_projects()
    code_year = academic_year_start(ctx.today) % 100
    models = Project.objects.bulk_create(
        [_project(row, f"NCP{code_year:02d}-{n:02d}") for n, row in enumerate(rows, start=1)]
    )
    roles = ParticipantRole.objects.bulk_create(
        [
            ParticipantRole(
                project=model,
                name=spec.name,
                max_per_school=spec.max_per_school,
                order=order,
                usually_filled_by=RoleHolder.SCHOOL_LEADER
                if spec.name.lower() in LEADER_ROLES
                else RoleHolder.ANYONE,
            )
            for model, row in zip(models, rows, strict=True)
            for order, spec in enumerate(row.roles)
        ]
    )
    ctx.projects = [
        ProjectInfo(
            model=model,
            row=row,
            roles=[role for role in roles if role.project is model],
            school_phases=set().union(*(SCHOOL_PHASES[code] for code in row.phases)),
        )
        for model, row in zip(models, rows, strict=True)
    ]
    by_title = {info.row.title: info for info in ctx.projects}
    for info in ctx.projects:
        info.prerequisites = [by_title[pre.title] for pre in info.row.prerequisites]
    _project_links(ctx)


def _project(row: reference.ProjectRow, code: str) -> Project:
    return Project(
        code=code,
        title=row.title,
        slug=slugify(row.title),
        summary=_summary(row)[:300],
        description=_description(row),
        activity_type=row.activity_type,
        recruitment=row.recruitment,
        requires_approval=row.requires_approval,
        state_funded_only=True,
    )


def _summary(row: reference.ProjectRow) -> str:
    phases = " and ".join(PHASE_NAMES[code] for code in row.phases)
    noun = ACTIVITY_NOUNS[row.activity_type]
    summary = f"A national {noun} for {phases} schools"
    return f"{summary}: {row.notes}." if row.notes else f"{summary}."


def _description(row: reference.ProjectRow) -> str:
    roles = ", ".join(
        f"{spec.name.lower()} (up to {spec.max_per_school})"
        if spec.max_per_school > 1
        else spec.name.lower()
        for spec in row.roles
    )
    low, high = row.sessions
    sessions = f"{low} sessions" if low == high else f"{low} to {high} sessions"
    text = (
        f"Each school sends: {roles}. The group meets for {sessions} over the year, planning, "
        "teaching and refining lessons together, and trying ideas in class between sessions."
    )
    if row.prerequisites:
        names = " or ".join(pre.title for pre in row.prerequisites)
        text += f" Schools need to have completed {names} first."
    return text


def _project_links(ctx: Context) -> None:
    """Phases, outcome areas, years and prerequisites, inserted through the M2M tables."""
    links = {
        Project.phases.through: [
            Project.phases.through(project_id=info.model.pk, phase_id=ctx.phases[code].pk)
            for info in ctx.projects
            for code in info.row.phases
        ],
        Project.outcome_areas.through: [
            Project.outcome_areas.through(project_id=info.model.pk, outcomearea_id=area.pk)
            for info in ctx.projects
            for area in ctx.areas
        ],
        Project.years.through: [
            Project.years.through(project_id=info.model.pk, academicyear_id=year.pk)
            for info in ctx.projects
            for year in ctx.years.values()
        ],
        Project.prerequisites.through: [
            Project.prerequisites.through(from_project_id=info.model.pk, to_project_id=pre.model.pk)
            for info in ctx.projects
            for pre in info.prerequisites
        ],
    }
    for through, rows in links.items():
        through.objects.bulk_create(rows)
