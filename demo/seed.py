"""Seed a database with deterministic demo data, or say that it is already there.

Everything happens in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from demo import activity, catalogue, people, schools, writer
from demo.context import DOMAIN, SCALES, SEED, Context
from demo.delivery import Delivery
from demo.logins import DEMO_EMAILS, DEMO_PASSWORD, SHOWCASE_HUB
from evaluations.models import NationalReport, OutcomeEvaluation, WorkGroupEvaluation
from participants.models import (
    LLME,
    Hub,
    HubMembership,
    HubRole,
    LocalAuthority,
    School,
    SchoolLeaderClaim,
    User,
    UserRole,
)
from projects.models import AcademicYear, Interest, Offer, ParticipantRole, Project
from surveys.models import (
    Answer,
    FreeTextAnswer,
    FreeTextQuestion,
    Response,
    Statement,
    Survey,
    SurveyEmail,
)
from surveys.sample import seed_surveys
from workgroups.models import (
    Attendance,
    GapTaskResponse,
    Invitation,
    Milestone,
    Place,
    Registration,
    Session,
    SessionRecord,
    WorkGroup,
)

# Children before parents, so that protected foreign keys never block a delete.
RESET_ORDER = [
    SurveyEmail,
    FreeTextAnswer,
    Answer,
    Response,
    FreeTextQuestion,
    Statement,
    Survey,
    NationalReport,
    OutcomeEvaluation,
    WorkGroupEvaluation,
    GapTaskResponse,
    SessionRecord,
    Attendance,
    Milestone,
    Invitation,
    Registration,
    Place,
    Session,
    WorkGroup,
    Interest,
    Offer,
    ParticipantRole,
    Project,
    AcademicYear,
    LLME,
    HubMembership,
    SchoolLeaderClaim,
    User,
    School,
    LocalAuthority,
    Hub,
]


NATIONAL_TEAM = {"is_staff": True, "is_superuser": True, "is_national_team": True}


class SeedRefused(Exception):
    """The database holds data that is not demo data; nothing was changed."""


@dataclass
class SeedResult:
    created: bool
    counts: dict[str, int]


def demo_data_exists() -> bool:
    return Hub.objects.exists() or User.objects.filter(email__in=DEMO_EMAILS).exists()


def counts() -> dict[str, int]:
    models = [m for m in reversed(RESET_ORDER) if m is not NationalReport]
    return {model._meta.verbose_name_plural: model.objects.count() for model in models}


@transaction.atomic
def seed(scale: str = "small", *, reset: bool = False, today: datetime.date | None = None):
    """Create the demo data at ``scale``; with ``reset``, delete what is there first."""
    if demo_data_exists():
        if not reset:
            return SeedResult(created=False, counts=counts())
        delete_demo_data()
    ctx = Context(scale=SCALES[scale], today=today or timezone.localdate())
    _generate(ctx)
    return SeedResult(created=True, counts=counts())


def delete_demo_data() -> None:
    """Delete every row the seed makes, refusing if anyone outside the demo domain has an
    account: this is for demo databases, never real ones."""
    if User.objects.exclude(email__iendswith=f"@{DOMAIN}").exists():
        raise SeedRefused(
            f"Some accounts are not demo accounts (@{DOMAIN}): refusing to delete this "
            "database's data. Use an empty database for the demo."
        )
    for model in RESET_ORDER:
        model.objects.all().delete()


def _generate(ctx: Context) -> None:
    catalogue.build(ctx)
    _weigh_hubs(ctx)
    pools = schools.build(ctx)
    crowd = people.People(ctx, make_password(DEMO_PASSWORD))
    existing = _demo_logins(ctx, crowd)
    people.hub_staff(ctx, crowd, skip={ctx.showcase["hub"].pk: {HubRole.HUB_MANAGER}})
    _index_managers(ctx)
    llmes = people.llmes(ctx, crowd, pools, existing)
    builds = Delivery(ctx, crowd, pools, llmes).run()
    activity.build_all(ctx, builds, crowd)
    writer.write_people(ctx, crowd)
    writer.write_delivery(ctx, builds)
    writer.write_activity(ctx)
    # The demo teacher is left a start survey to answer.
    seed_surveys(
        seed=f"{SEED}:{ctx.scale.name}:surveys",
        today=ctx.today,
        leave_unanswered=[f"teacher@{DOMAIN}"],
    )


def _weigh_hubs(ctx: Context) -> None:
    """How big each hub is: at small scale a few 'focus' hubs, the demo's among them, get
    most schools and groups; nationally hubs vary by a third either way."""
    rng = ctx.rng("hubs")
    showcase = next(hub for hub in ctx.hubs if hub.name == SHOWCASE_HUB)
    ctx.showcase["hub"] = showcase
    if not ctx.scale.focus_hubs:
        ctx.hub_weights = {hub.pk: rng.uniform(0.67, 1.33) for hub in ctx.hubs}
        return
    others = [hub for hub in ctx.hubs if hub != showcase]
    focus = {showcase.pk} | {hub.pk for hub in rng.sample(others, ctx.scale.focus_hubs - 1)}
    ctx.hub_weights = {hub.pk: ctx.scale.focus_weight if hub.pk in focus else 1 for hub in ctx.hubs}


def _demo_logins(ctx: Context, crowd: people.People) -> dict:
    """The four demo accounts; returns the demo lead as the showcase hub's first LLME."""
    hub = ctx.showcase["hub"]
    national, manager, lead, teacher = DEMO_EMAILS
    crowd.make(email=national, first="Nadia", last="Okafor", **NATIONAL_TEAM)
    ctx.managers[hub.pk] = crowd.make(email=manager, first="Sam", last="Taylor", is_staff=True)
    ctx.pending.add(
        "membership", HubMembership(user=ctx.managers[hub.pk], hub=hub, role=HubRole.HUB_MANAGER)
    )
    school = next(info for info in ctx.schools if _open_primary(info, hub))
    ctx.showcase["school"] = school
    teaching = {"role": UserRole.TEACHER, "phases": ["primary"]}
    lead_user = crowd.make(
        email=lead, first="Priya", last="Shah", school=_other_school(ctx, hub, school), **teaching
    )
    ctx.showcase["lead"] = people.new_llme(
        ctx, lead_user, hub, ["primary"], ctx.rng("llmes"), active=True
    )
    ctx.showcase["teacher"] = crowd.make(
        email=teacher, first="Tom", last="Walker", school=school.model, **teaching
    )
    return {hub.pk: [ctx.showcase["lead"]]}


def _open_primary(info, hub) -> bool:
    return (
        info.model.hub == hub and info.model.phase == "primary" and info.years == schools.ALL_YEARS
    )


def _other_school(ctx: Context, hub, school):
    """The demo lead's own school: another open primary school in the hub."""
    others = (info.model for info in ctx.schools if _open_primary(info, hub) and info is not school)
    return next(others, school.model)


def _index_managers(ctx: Context) -> None:
    for membership in ctx.pending.get("membership"):
        if membership.role == HubRole.HUB_MANAGER:
            ctx.managers.setdefault(membership.hub.pk, membership.user)
