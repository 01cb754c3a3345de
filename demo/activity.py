"""What happens in groups: attendance, session records, between-session tasks and responses,
Targeted Support milestones, end-of-year evaluations, invitations and interest in offers."""

from __future__ import annotations

import datetime
from collections import defaultdict

from demo import words
from demo.context import Context, at
from evaluations.models import EvaluationStatus, OutcomeEvaluation, WorkGroupEvaluation
from participants.models import UserRole
from projects.models import ActivityType, Interest, Recruitment
from workgroups.models import (
    ATTENDED_STATUSES,
    LIVE_GROUP_STATUSES,
    TAKEN_PLACE_STATUSES,
    UNDER_WAY_GROUP_STATUSES,
    AttendanceStatus,
    Completion,
    GapTaskResponse,
    Invitation,
    Milestone,
    MilestoneStatus,
    MilestoneTerm,
    PlaceStatus,
    RecordStatus,
    SessionRecord,
    WorkGroupStatus,
)

ATTENDANCE_WEIGHTS = {
    AttendanceStatus.PRESENT: 86,
    AttendanceStatus.LATE: 5,
    AttendanceStatus.APOLOGIES: 5,
    AttendanceStatus.ABSENT: 4,
}
UNDER_WAY = UNDER_WAY_GROUP_STATUSES
DAY = datetime.timedelta(days=1)


def topic(rng, project) -> str:
    return rng.choice(words.TOPICS[project.row.phases[-1]])


def past_sessions(ctx: Context, build) -> list:
    if build.model.status not in UNDER_WAY:
        return []
    return [s for s in build.sessions if not s.cancelled and s.starts_at.date() < ctx.today]


def attend(ctx: Context, build) -> None:
    """Marks for every active participant of a confirmed or completed place at each past
    session. In a completed group each person completed when they attended enough of the
    sessions (``workgroups.services.completion``'s rule: they registered before the first),
    and a school when any of its people did."""
    rng = ctx.rng("attendance")
    sessions = past_sessions(ctx, build)
    statuses, weights = list(ATTENDANCE_WEIGHTS), list(ATTENDANCE_WEIGHTS.values())
    threshold = build.project.model.completion_attendance
    for place in build.places:
        if place.model.status not in TAKEN_PLACE_STATUSES:
            continue
        attended = dict.fromkeys(map(id, place.active), 0)
        for session in sessions:
            marks = rng.choices(statuses, weights=weights, k=len(place.active))
            build.attendance += zip([session] * len(marks), place.active, marks, strict=True)
            for person, mark in zip(place.active, marks, strict=True):
                attended[id(person)] += mark in ATTENDED_STATUSES
        if place.model.status != PlaceStatus.COMPLETED:
            continue
        for person in place.active:
            done = attended[id(person)] * 100 >= threshold * len(sessions)
            person.completion = Completion.COMPLETED if done else Completion.NOT_COMPLETED
        if not any(p.completion == Completion.COMPLETED for p in place.active):
            place.model.status = PlaceStatus.NOT_COMPLETED


def build_all(ctx: Context, builds: list, people) -> None:
    for build in builds:
        _records(ctx, build)
        _milestones(ctx, build)
        _evaluation(ctx, build)
        _invitations(ctx, build)
    _interests(ctx, people)


def _records(ctx: Context, build) -> None:
    """A lead's record of each past session, with the task set for next time, and what
    some participants who were there did about it."""
    rng = ctx.rng("records")
    sessions = past_sessions(ctx, build)
    author = build.leads[0].user if build.leads else None
    attended = defaultdict(list)
    for session, registration, mark in build.attendance:
        if mark in ATTENDED_STATUSES:
            attended[id(session)].append(registration)
    last = len(build.sessions)
    for session in sessions:
        latest = session is sessions[-1] and build.model.status == WorkGroupStatus.RUNNING
        record = SessionRecord(
            session=session,
            author=author,
            what_was_done=words.DONE[session.focus].format(topic=build.topic),
            observed=rng.choice(words.OBSERVED),
            refined=rng.choice(words.REFINED),
            outcome_notes=_outcome_notes(ctx, rng, build.topic),
            gap_task=""
            if session.number == last or not build.project.model.rules.between_session_tasks
            else rng.choice(words.GAP_TASKS).format(topic=build.topic),
            status=RecordStatus.DRAFT
            if latest and not build.showcase and rng.random() < 0.15
            else RecordStatus.FINAL,
        )
        ctx.pending.add("record", record)
        if record.gap_task and record.status == RecordStatus.FINAL:
            _responses(ctx, rng, build, record, attended[id(session)], latest)


def _outcome_notes(ctx: Context, rng, subject: str) -> dict:
    areas = rng.sample(ctx.areas, 2)
    return {area.code: words.OUTCOME_NOTES[area.code].format(topic=subject) for area in areas}


def _responses(ctx: Context, rng, build, record, registrations, latest: bool) -> None:
    """About half respond; the demo teacher answers every task but the latest."""
    teacher = ctx.showcase["teacher"]
    for registration in registrations:
        if registration.user is teacher:
            responds = not latest
        else:
            responds = rng.random() < (0.25 if latest else 0.5)
        if responds:
            ctx.pending.add(
                "response",
                GapTaskResponse(
                    registration=registration,
                    session_record=record,
                    what_i_did=rng.choice(words.GAP_RESPONSES).format(
                        topic=build.topic, year=rng.randint(1, 6)
                    ),
                    reflection=rng.choice(words.REFLECTIONS),
                ),
            )


def _milestones(ctx: Context, build) -> None:
    """A Targeted Support action plan: short-, medium- and long-term steps over the year."""
    if build.project.activity_type != ActivityType.TARGETED_SUPPORT:
        return
    if build.model.status not in LIVE_GROUP_STATUSES:
        return
    rng = ctx.rng("milestones")
    start = ctx.years[build.year].starts_on
    offsets = {MilestoneTerm.SHORT: 75, MilestoneTerm.MEDIUM: 180, MilestoneTerm.LONG: 290}
    for term, days in offsets.items():
        for text in words.MILESTONES[term]:
            due = start + (days + rng.randint(-20, 20)) * DAY
            ctx.pending.add(
                "milestone",
                Milestone(
                    work_group=build.model,
                    term=term,
                    description=text.format(topic=build.topic),
                    due_on=due,
                    status=_milestone_status(ctx, rng, build, due),
                ),
            )


def _milestone_status(ctx: Context, rng, build, due: datetime.date) -> str:
    if build.model.status != WorkGroupStatus.COMPLETED and due > ctx.today:
        near = due - ctx.today < 60 * DAY
        return MilestoneStatus.IN_PROGRESS if near else MilestoneStatus.NOT_STARTED
    if build.model.status not in UNDER_WAY:
        return MilestoneStatus.NOT_STARTED
    return rng.choices(
        [MilestoneStatus.ACHIEVED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.NOT_ACHIEVED],
        weights=[70, 15, 15],
    )[0]


def _evaluation(ctx: Context, build) -> None:
    """Completed groups' evaluations, mostly signed off; some running groups' drafts."""
    rng = ctx.rng("evaluations")
    status = _evaluation_status(rng, build)
    if status is None:
        return
    year = ctx.years[build.year]
    evaluation = WorkGroupEvaluation(
        work_group=build.model,
        key_findings=rng.choice(words.KEY_FINDINGS).format(topic=build.topic),
        recommendations=rng.choice(words.RECOMMENDATIONS),
        status=status,
        author=build.leads[0].user if build.leads else None,
    )
    if status != EvaluationStatus.DRAFT:
        evaluation.submitted_at = at(year.ends_on - rng.randint(40, 60) * DAY, 16)
    if status == EvaluationStatus.SIGNED_OFF:
        evaluation.signed_off_at = evaluation.submitted_at + rng.randint(3, 20) * DAY
        evaluation.signed_off_by = ctx.managers[build.model.hub.pk]
        build.model.evidence_locked_at = evaluation.signed_off_at  # as sign-off does
    ctx.pending.add("evaluation", evaluation)
    for area in ctx.areas:
        change = rng.choice(words.CHANGES).format(topic=build.topic)
        ctx.pending.add(
            "outcome",
            OutcomeEvaluation(
                evaluation=evaluation,
                area=area,
                rating=rng.choices([1, 2, 3, 4], weights=[10, 30, 40, 20])[0],
                evidence=rng.choice(words.EVIDENCE).format(change=change),
            ),
        )


def _evaluation_status(rng, build) -> str | None:
    status = build.model.status
    if not build.project.model.rules.evaluation:  # a community has none
        return None
    if status == WorkGroupStatus.COMPLETED:
        if build.showcase:
            return EvaluationStatus.SIGNED_OFF
        return rng.choices(
            [EvaluationStatus.SIGNED_OFF, EvaluationStatus.SUBMITTED, EvaluationStatus.DRAFT],
            weights=[60, 25, 15],
        )[0]
    if status == WorkGroupStatus.RUNNING and not build.showcase and rng.random() < 0.4:
        return EvaluationStatus.DRAFT
    return None


def _invitations(ctx: Context, build) -> None:
    """Invitation-only groups: a code for each school with a place, or for the school the
    hub means to invite while the group recruits."""
    if build.project.model.recruitment != Recruitment.INVITATION_ONLY:
        return
    if build.model.status not in LIVE_GROUP_STATUSES:
        return
    schools = [place.info.model for place in build.places]
    if not schools:
        schools = [build.host]
    for school in schools:
        ctx.pending.add("invitation", Invitation(work_group=build.model, school=school))


def _interests(ctx: Context, people) -> None:
    """Teachers who registered interest in an offer because no group suited them yet."""
    rng = ctx.rng("interests")
    by_hub = defaultdict(list)
    for user in people.users:
        if user.role in (UserRole.TEACHER, UserRole.PRACTITIONER) and user.school is not None:
            by_hub[user.school.hub.pk].append(user)
    offers = [o for o in ctx.pending.get("offer") if o.academic_year != ctx.years["previous"]]
    seen = set()
    for _ in range(ctx.scale.interests):
        offer = rng.choice(offers)
        candidates = by_hub[offer.hub.pk]
        if not candidates:
            continue
        user = rng.choice(candidates)
        if (id(offer), id(user)) in seen:
            continue
        seen.add((id(offer), id(user)))
        ctx.pending.add(
            "interest",
            Interest(
                offer=offer, user=user, school=user.school, note=rng.choice(words.INTEREST_NOTES)
            ),
        )
