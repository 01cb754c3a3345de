"""Writes the objects built in memory, parents before children, in batches.

``bulk_create`` skips ``save()``, so every foreign key is set here explicitly (a registration's
``work_group`` included), many-to-many links go straight into their through tables, and the
groups' and places' counters are counted once every place and registration is written.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt

from demo.context import Context
from demo.logins import DEMO_TOTP_SECRET
from demo.people import leader_claims
from evaluations.models import OutcomeEvaluation, WorkGroupEvaluation
from participants.models import LLME, HubMembership, SchoolLeaderClaim, User
from projects.models import Interest, Offer
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

BATCH = 2000


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _staff_authenticators(users: list[User]) -> list[Authenticator]:
    """Every demo staff account has the same authenticator app, whose key the logins table
    prints: staff must have one to use the admin and the reports."""
    secret = encrypt(DEMO_TOTP_SECRET)
    return [
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
        for user in users
        if user.is_staff
    ]


def write_people(ctx: Context, people) -> None:
    _bulk(User, people.users)
    _bulk(
        EmailAddress,
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people.users],
    )
    _bulk(Authenticator, _staff_authenticators(people.users))
    phase_ids = {code: phase.pk for code, phase in ctx.phases.items()}
    _bulk(
        User.phases.through,
        [
            User.phases.through(user_id=user.pk, phase_id=phase_ids[code])
            for user in people.users
            for code in people.phases[id(user)]
        ],
    )
    _bulk(HubMembership, ctx.pending.get("membership"))
    _bulk(SchoolLeaderClaim, leader_claims(ctx, people))
    llmes = _bulk(LLME, ctx.pending.get("llme"))
    _bulk(
        LLME.phases.through,
        [
            LLME.phases.through(llme_id=llme.pk, phase_id=phase_ids[code])
            for llme in llmes
            for code in ctx.llme_phases[id(llme)]
        ],
    )


def write_delivery(ctx: Context, builds: list) -> None:
    _bulk(Offer, ctx.pending.get("offer"))
    _bulk(WorkGroup, [build.model for build in builds])
    _bulk(
        WorkGroup.leads.through,
        [
            WorkGroup.leads.through(workgroup_id=build.model.pk, llme_id=llme.pk)
            for build in builds
            for llme in build.leads
        ],
    )
    _bulk(Session, [session for build in builds for session in build.sessions])
    place_builds = [place for build in builds for place in build.places]
    _bulk(Place, [place.model for place in place_builds])
    registrations = [r for place in place_builds for r in place.registrations]
    for registration in registrations:
        registration.work_group_id = registration.place.work_group_id
    _bulk(Registration, registrations)
    _count_places(builds)
    _write_attendance(builds)


def _count_places(builds: list) -> None:
    """``bulk_create`` saves no rows one by one, so nothing has counted the places: set the
    groups' and places' counters from the rows just written."""
    groups = WorkGroup.objects.filter(pk__in=[build.model.pk for build in builds])
    Place.objects.filter(work_group__in=groups).recount_registrations()
    groups.recount_places()


def _write_attendance(builds: list) -> None:
    """Attendance is the largest table: made into rows a batch at a time."""
    batch = []
    for build in builds:
        for session, registration, status in build.attendance:
            batch.append(
                Attendance(session_id=session.pk, registration_id=registration.pk, status=status)
            )
            if len(batch) >= BATCH * 5:
                _bulk(Attendance, batch)
                batch = []
    _bulk(Attendance, batch)


def write_activity(ctx: Context) -> None:
    for model, kind in (
        (SessionRecord, "record"),
        (GapTaskResponse, "response"),
        (Milestone, "milestone"),
        (Invitation, "invitation"),
        (Interest, "interest"),
        (WorkGroupEvaluation, "evaluation"),
        (OutcomeEvaluation, "outcome"),
    ):
        _bulk(model, ctx.pending.get(kind))
