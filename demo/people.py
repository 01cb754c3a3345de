"""People: hub staff, LLMEs and the teachers, assistants, practitioners and leaders in schools.

Users are made in memory with one precomputed password hash (hashing thousands of passwords
would take minutes) and written in bulk with their verified email addresses.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict

from demo import words
from demo.context import DOMAIN, Context, apportion, at
from participants.models import (
    LLME,
    ClaimStatus,
    HubMembership,
    HubRole,
    SchoolLeaderClaim,
    SchoolPhase,
    User,
    UserRole,
)

SCHOOL_USER_PHASES = {
    SchoolPhase.NURSERY: ["early_years"],
    SchoolPhase.PRIMARY: ["primary"],
    SchoolPhase.MIDDLE_PRIMARY: ["primary"],
    SchoolPhase.SECONDARY: ["secondary"],
    SchoolPhase.MIDDLE_SECONDARY: ["secondary"],
    SchoolPhase.SIXTEEN_PLUS: ["post_16"],
    SchoolPhase.ALL_THROUGH: ["primary", "secondary"],
    SchoolPhase.NOT_APPLICABLE: ["primary"],
}
# Roles a school fills with the same person whichever project asks for them.
LEADER_ROLES = {"headteacher", "head of maths", "senior leader"}
SINGLE_HOLDER_ROLES = LEADER_ROLES | {"maths lead", "mastery lead"}
STAFF_ROLES = [HubRole.HUB_LEAD, HubRole.HUB_MANAGER, HubRole.ADMINISTRATOR]
LLME_PHASES = {"primary": 64, "secondary": 30, "early_years": 4, "post_16": 2}


class People:
    """Makes users with unique, readable emails and remembers their phases."""

    def __init__(self, ctx: Context, password_hash: str):
        self.ctx = ctx
        self.rng = ctx.rng("people")
        self.password_hash = password_hash
        self.users: list[User] = []
        self.phases: dict[int, list[str]] = {}
        self._emails: Counter[str] = Counter()
        self._holders: dict[tuple[int, str], User] = {}
        self._staff: dict[int, list[User]] = defaultdict(list)

    def make(self, *, phases=(), email: str = "", first: str = "", last: str = "", **fields):
        first = first or self.rng.choice(words.FIRST_NAMES)
        last = last or self.rng.choice(words.LAST_NAMES)
        user = User(
            email=email or self._email(first, last),
            first_name=first,
            last_name=last,
            password=self.password_hash,
            **fields,
        )
        self.users.append(user)
        self.phases[id(user)] = list(phases)
        return user

    def _email(self, first: str, last: str) -> str:
        base = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
        self._emails[base] += 1
        count = self._emails[base]
        return f"{base}{count if count > 1 else ''}@{DOMAIN}"

    @staticmethod
    def is_single_holder(role_name: str) -> bool:
        return role_name.lower() in SINGLE_HOLDER_ROLES

    def participant(self, school, role_name: str, project_phases, exclude) -> User:
        """Someone at ``school`` to fill ``role_name``: the school's usual holder of a single
        role, else a colleague already known (one time in six) or a new member of staff."""
        key = role_name.lower()
        if key in SINGLE_HOLDER_ROLES:
            holder = self._holders.get((school.pk, key))
            if holder is None or holder in exclude:
                holder = self._new_participant(school, key, project_phases)
                self._holders[school.pk, key] = holder
            return holder
        known = [user for user in self._staff[school.pk] if user not in exclude]
        if known and self.rng.random() < 0.17:
            return self.rng.choice(known)
        user = self._new_participant(school, key, project_phases)
        self._staff[school.pk].append(user)
        return user

    def _new_participant(self, school, role_name: str, project_phases) -> User:
        own = SCHOOL_USER_PHASES[school.phase]
        phases = [code for code in own if code in project_phases] or own
        if role_name.startswith("reception") and "early_years" not in phases:
            phases = ["early_years", *phases]
        return self.make(role=self._user_role(school, role_name), school=school, phases=phases)

    def _user_role(self, school, role_name: str) -> str:
        if role_name in LEADER_ROLES:
            return UserRole.SCHOOL_LEADER
        if role_name == "practitioner":
            return UserRole.PRACTITIONER
        in_primary = school.phase in ("primary", "nursery")
        if role_name == "lead participant" and in_primary and self.rng.random() < 0.12:
            return UserRole.TEACHING_ASSISTANT
        return UserRole.TEACHER


def hub_staff(ctx: Context, people: People, skip: dict) -> None:
    """A hub lead, manager and administrator for every hub (``skip`` holds roles already
    filled, by hub id: the demo hub manager)."""
    for hub in ctx.hubs:
        for role in STAFF_ROLES:
            if role in skip.get(hub.pk, ()):
                continue
            user = people.make(is_staff=True)
            ctx.pending.add("membership", HubMembership(user=user, hub=hub, role=role))


def llmes(ctx: Context, people: People, pools, existing: dict) -> dict[int, list[LLME]]:
    """The hubs' LLMEs, each working in a school of the hub; a few serve two hubs."""
    rng = ctx.rng("llmes")
    weights = [ctx.hub_weights[hub.pk] for hub in ctx.hubs]
    by_hub: dict[int, list[LLME]] = {hub.pk: list(existing.get(hub.pk, [])) for hub in ctx.hubs}
    counts = apportion(ctx.scale.llmes, weights)
    for hub, count in zip(ctx.hubs, counts, strict=True):
        for _ in range(max(2, count) - len(by_hub[hub.pk])):
            by_hub[hub.pk].append(_llme(ctx, people, pools, hub, rng))
    _second_hubs(ctx, by_hub, rng)
    return by_hub


def _llme(ctx: Context, people: People, pools, hub, rng) -> LLME:
    main = rng.choices(list(LLME_PHASES), weights=list(LLME_PHASES.values()))[0]
    phases = [main]
    if main == "primary" and rng.random() < 0.2:
        phases.append("early_years")
    if main == "secondary" and rng.random() < 0.15:
        phases.append("post_16")
    school = _school_for(pools, hub, main, rng)
    user = people.make(
        role=rng.choice([UserRole.TEACHER, UserRole.SCHOOL_LEADER]), school=school, phases=phases
    )
    return new_llme(ctx, user, hub, phases, rng)


def new_llme(ctx: Context, user: User, hub, phases: list[str], rng, active=None) -> LLME:
    start = ctx.years["current"].starts_on
    llme = LLME(
        user=user,
        hub=hub,
        specialisms=rng.choice(words.SPECIALISMS[phases[0]]),
        accredited_on=start - datetime.timedelta(days=rng.randint(60, 3000)),
        active=rng.random() > 0.05 if active is None else active,
    )
    ctx.pending.add("llme", llme)
    ctx.llme_phases[id(llme)] = phases
    return llme


def _school_for(pools, hub, phase_code: str, rng):
    phase = {"early_years": "nursery", "post_16": "16_plus"}.get(phase_code, phase_code)
    choices = pools.by_hub[hub.pk, phase] or pools.by_hub[hub.pk, "primary"]
    open_now = [info for info in choices if "current" in info.years]
    return rng.choice(open_now or choices).model if (open_now or choices) else None


def _second_hubs(ctx: Context, by_hub: dict, rng) -> None:
    """About one LLME in fifty also works with a neighbouring hub in the same region."""
    for hub in ctx.hubs:
        neighbours = [other for other in ctx.hubs if other.region == hub.region and other != hub]
        if not neighbours:
            continue
        for llme in list(by_hub[hub.pk]):
            if llme.active and rng.random() < 0.02:
                other = rng.choice(neighbours)
                if any(existing.user is llme.user for existing in by_hub[other.pk]):
                    continue
                phases = ctx.llme_phases[id(llme)]
                by_hub[other.pk].append(new_llme(ctx, llme.user, other, phases, rng, active=True))


def leader_claims(ctx: Context, people: People) -> list[SchoolLeaderClaim]:
    """Every demo school leader is confirmed, by their school's hub manager, when the school
    year began; so the demo's leaders can name colleagues."""
    decided_at = at(ctx.years["current"].starts_on, 9)
    return [
        SchoolLeaderClaim(
            user=user,
            school=user.school,
            status=ClaimStatus.CONFIRMED,
            created_at=decided_at,
            decided_at=decided_at,
            decided_by=ctx.managers.get(user.school.hub_id),
        )
        for user in people.users
        if user.role == UserRole.SCHOOL_LEADER and user.school is not None
    ]
