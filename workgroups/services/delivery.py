"""Running a group through the year: sessions, attendance, session records, completion, plans.

Views in the lead area, the admin and commands call these; none re-implements a rule. Each
raises ``DeliveryError`` with a message a lead can read, and changes nothing when it does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import audit, scoping
from core.email import send_templated
from core.errors import DomainError, Reason
from core.text import check_lengths
from participants.models import User
from workgroups.cache import sessions_changed
from workgroups.models import (
    TAKEN_PLACE_STATUSES,
    Attendance,
    AttendanceStatus,
    DeliveryMode,
    Milestone,
    MilestoneStatus,
    MilestoneTerm,
    RecordStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionFocus,
    SessionRecord,
    WorkGroup,
)

# Added to a session's number for a moment while the group's sessions are renumbered.
RENUMBER_OFFSET = 10_000


class DeliveryError(DomainError):
    """A delivery rule said no; ``reasons`` are in words a lead understands."""


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise DeliveryError(Reason("The session must end after it starts.", field="ends_at"))


class SessionNeedsConfirmation(DeliveryError):
    """The session may go ahead, but the lead should know something first (``reasons``) and
    say so: saving again with ``confirmed=True`` goes ahead."""


def _day(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%A %-d %B %Y}"


def _time(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def check_session_details(
    work_group: WorkGroup,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str,
    venue: str,
    joining_link: str,
) -> None:
    """What every session needs: to end after it starts, on a day of the group's school year,
    with a venue to go to (face-to-face, blended: its own or the group's) and a link to join
    (online, blended)."""
    _check_times(starts_at, ends_at)
    reasons = []
    year = work_group.academic_year
    if not year.starts_on <= timezone.localdate(starts_at) <= year.ends_on:
        reasons.append(
            Reason(
                f"Sessions of a {year} group fall in that school year, between "
                f"{year.starts_on:%-d %B %Y} and {year.ends_on:%-d %B %Y}.",
                field="date",
            )
        )
    # A session with no venue of its own meets at the group's, if it has one.
    where = venue.strip() or work_group.venue.strip()
    if mode in (DeliveryMode.FACE_TO_FACE, DeliveryMode.BLENDED) and not where:
        reasons.append(Reason("Say where the session is held.", field="venue"))
    if mode in (DeliveryMode.ONLINE, DeliveryMode.BLENDED) and not joining_link.strip():
        reasons.append(
            Reason("Give the link participants join the session with.", field="joining_link")
        )
    if reasons:
        raise DeliveryError(reasons)


def session_warnings(
    work_group: WorkGroup,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    other_than: Session | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """What a lead should know before saving a session at this time: the sessions it overlaps,
    and, for a time already past, the between-session tasks it would close to answers."""
    now = now or timezone.now()
    others = Session.objects.filter(work_group=work_group, cancelled=False)
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    warnings = [
        f"It overlaps session {other.number} ({_day(other.starts_at)}, "
        f"{_time(other.starts_at)} to {_time(other.ends_at)})."
        for other in others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).order_by(
            "starts_at"
        )
    ]
    if starts_at < now:
        warnings.append(f"It is in the past ({_day(starts_at)}).")
        # A task stays open until the next session starts: a session put before now, after
        # the session that set an open task, closes that task at once.
        for record in (
            SessionRecord.objects.filter(
                session__in=others.filter(starts_at__lt=starts_at), session__cancelled=False
            )
            .exclude(gap_task="")
            .select_related("session")
        ):
            following = others.filter(starts_at__gt=record.session.starts_at).order_by("starts_at")
            deadline = following.values_list("starts_at", flat=True).first()
            if deadline is None or deadline > now:
                warnings.append(
                    f"Participants can still answer the task set at session "
                    f"{record.session.number}; a session on this date closes it to answers."
                )
    return warnings


def check_session(
    work_group: WorkGroup,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str,
    venue: str = "",
    joining_link: str = "",
    planned: str = "",
    session: Session | None = None,
    confirmed: bool = False,
) -> None:
    """Every rule for a new session of ``work_group`` with these details, or for changing
    ``session`` to them: ``DeliveryError`` says why not, ``SessionNeedsConfirmation`` what the
    lead should know first (a new time that overlaps another session or is in the past)."""
    if session is not None:
        check_session_change(session, starts_at=starts_at, ends_at=ends_at, planned=planned)
    else:
        _check_times(starts_at, ends_at)
        _check_text(planned=planned)
        check_start_free(work_group, starts_at)
    check_session_details(
        work_group,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        venue=venue,
        joining_link=joining_link,
    )
    if session is None or (starts_at, ends_at) != (session.starts_at, session.ends_at):
        warnings = session_warnings(
            work_group, starts_at=starts_at, ends_at=ends_at, other_than=session
        )
        if warnings and not confirmed:
            raise SessionNeedsConfirmation(warnings)


def renumber_sessions(work_group: WorkGroup) -> None:
    """Number the group's sessions 1, 2, 3… in date order (cancelled ones keep their place)."""
    rows = list(work_group.sessions.order_by("starts_at", "pk").values_list("pk", "number"))
    changes = {pk: (old, n) for n, (pk, old) in enumerate(rows, start=1) if old != n}
    if not changes:
        return
    # Two steps, since each number is unique within the group at every moment.
    Session.objects.filter(pk__in=changes).update(number=F("number") + RENUMBER_OFFSET)
    for pk, (old, new) in changes.items():
        Session.objects.filter(pk=pk).update(number=new)
        audit.record(
            Session(pk=pk, work_group=work_group, number=new),
            changes={"number": (old, new)},
            reason="Sessions are numbered in date order.",
        )


def _check_text(**texts: str) -> None:
    check_lengths(DeliveryError, **texts)


# Sessions ---------------------------------------------------------------------------------


@transaction.atomic
def schedule_session(
    *,
    work_group: WorkGroup,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str,
    focus: str = SessionFocus.PLAN,
    venue: str = "",
    joining_link: str = "",
    planned: str = "",
    confirmed: bool = False,
) -> Session:
    """Add a session to the group; the group's sessions are numbered in date order.

    A group meets once at a time: a session starting when another (not cancelled) starts is
    refused, unless every detail is the same, when that session is returned. So the same form
    sent twice (a double click) adds one session. One that overlaps another, or is in the past,
    needs ``confirmed`` (``SessionNeedsConfirmation`` says why).
    """
    group = WorkGroup.objects.locked(work_group)
    details = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "mode": mode,
        "focus": focus,
        "venue": venue,
        "joining_link": joining_link,
        "planned": planned,
    }
    same_start = _session_starting(group, starts_at)
    if same_start is not None:
        if all(getattr(same_start, name) == value for name, value in details.items()):
            return same_start
        raise _already_starts(same_start)
    check_session(
        group,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        venue=venue,
        joining_link=joining_link,
        planned=planned,
        confirmed=confirmed,
    )
    last = group.sessions.order_by("-number").values_list("number", flat=True).first() or 0
    session = Session.objects.create(work_group=group, number=last + 1, **details)
    renumber_sessions(group)
    session.refresh_from_db(fields=["number"])
    sessions_changed(group)  # its page and its project's list show the dates
    return session


def _session_starting(
    work_group: WorkGroup, starts_at: datetime.datetime, *, other_than: Session | None = None
) -> Session | None:
    """The group's session (not cancelled) that starts at ``starts_at``, if any."""
    sessions = Session.objects.filter(work_group=work_group, starts_at=starts_at, cancelled=False)
    if other_than is not None:
        sessions = sessions.exclude(pk=other_than.pk)
    return sessions.first()


def _already_starts(session: Session) -> DeliveryError:
    return DeliveryError(
        Reason(
            f"Session {session.number} already starts at this time. Change that session, "
            "or choose another time.",
            field="starts_at",
        )
    )


def check_start_free(
    work_group: WorkGroup, starts_at: datetime.datetime, *, other_than: Session | None = None
) -> None:
    """Raise ``DeliveryError`` if another of the group's sessions starts at ``starts_at``."""
    same_start = _session_starting(work_group, starts_at, other_than=other_than)
    if same_start is not None:
        raise _already_starts(same_start)


def _lock_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("work_group__project", "work_group__hub", "work_group__academic_year")
        .get(pk=session.pk)
    )


@transaction.atomic
def reschedule_session(
    *,
    session: Session,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str,
    focus: str,
    venue: str = "",
    joining_link: str = "",
    planned: str = "",
    confirmed: bool = False,
) -> Session:
    """Change a session's details; participants hear about a new date, time or place. A new
    time that overlaps another session or is in the past needs ``confirmed``."""
    WorkGroup.objects.locked(session.work_group)  # one session moves at a time in a group
    session = _lock_session(session)
    check_session(
        session.work_group,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        venue=venue,
        joining_link=joining_link,
        planned=planned,
        session=session,
        confirmed=confirmed,
    )
    before = (session.starts_at, session.ends_at, session.mode, session.venue, session.joining_link)
    session.starts_at, session.ends_at, session.mode = starts_at, ends_at, mode
    session.focus, session.venue, session.joining_link = focus, venue, joining_link
    session.planned = planned
    session.save()
    renumber_sessions(session.work_group)
    session.refresh_from_db(fields=["number"])
    sessions_changed(session.work_group)
    after = (session.starts_at, session.ends_at, session.mode, session.venue, session.joining_link)
    if after != before:
        _notify_participants(session, "session_changed", {"previous_start": before[0]})
    return session


def check_session_change(
    session: Session, *, starts_at: datetime.datetime, ends_at: datetime.datetime, planned: str
) -> None:
    """Whether a session may be changed to these details; raises ``DeliveryError`` if not."""
    _check_times(starts_at, ends_at)
    _check_text(planned=planned)
    if session.cancelled:
        raise DeliveryError("This session is cancelled, so it cannot be changed.")
    if record_is_locked(session.work_group):
        raise DeliveryError(
            "The group's evaluation is signed off, so its sessions are part of the evidence "
            "and cannot be changed."
        )
    check_start_free(session.work_group, starts_at, other_than=session)


def check_cancellable(session: Session) -> None:
    """Whether a session may be cancelled; raises ``DeliveryError`` saying why not."""
    if hasattr(session, "record"):
        raise DeliveryError("This session already has a session record, so it took place.")
    if session.attendances.exists():
        raise DeliveryError("Attendance was taken at this session, so it took place.")
    if record_is_locked(session.work_group):
        raise DeliveryError("The group's evaluation is signed off, so its sessions are fixed.")


@transaction.atomic
def cancel_session(*, session: Session) -> Session:
    """Cancel a session and tell its participants; cancelling twice changes nothing."""
    session = _lock_session(session)
    if session.cancelled:
        return session
    check_cancellable(session)
    session.cancelled = True
    session.save(update_fields=["cancelled"])
    sessions_changed(session.work_group)
    _notify_participants(session, "session_cancelled", {})
    return session


def participants(work_group: WorkGroup):
    """The people taking part in the group: active registrations of taken places."""
    return (
        User.objects.filter(
            registrations__work_group=work_group,
            registrations__status=RegistrationStatus.ACTIVE,
            registrations__place__status__in=TAKEN_PLACE_STATUSES,
        )
        .distinct()
        .order_by("pk")
    )


def _notify_participants(session: Session, template: str, context: dict) -> None:
    """One email per participant, so nobody sees another school's address."""
    context = {**context, "session": session, "group": session.work_group}
    for person in participants(session.work_group):
        send_templated(template, [person.email], {**context, "person": person})


EMAIL_SUBJECT_MAX = 150
EMAIL_MESSAGE_MAX = 5000


def runs_group(user: User, work_group: WorkGroup) -> bool:
    """Whether ``user`` runs the group: one of its active leads, its hub's staff or the
    national team. They email its participants and change who completed it."""
    if not (user.is_authenticated and user.is_active):
        return False
    leads = work_group.leads.filter(user=user, active=True).exists()
    return leads or scoping.can_manage_hub(user, work_group.hub_id)


@transaction.atomic
def email_participants(*, work_group: WorkGroup, by: User, subject: str, message: str) -> int:
    """A lead's (or the hub's) email to the group's participants: one copy each, so nobody sees
    another school's address, recorded in the group's audit trail. Returns how many were sent."""
    subject, message = " ".join(subject.split()), message.strip()
    reasons = []
    if not subject:
        reasons.append(Reason("Give the email a subject.", field="subject"))
    elif len(subject) > EMAIL_SUBJECT_MAX:
        reasons.append(
            Reason(f"Keep the subject to {EMAIL_SUBJECT_MAX} characters.", field="subject")
        )
    if not message:
        reasons.append(Reason("Write the message.", field="message"))
    elif len(message) > EMAIL_MESSAGE_MAX:
        reasons.append(
            Reason(f"Keep the message to {EMAIL_MESSAGE_MAX} characters.", field="message")
        )
    if reasons:
        raise DeliveryError(reasons)
    if not runs_group(by, work_group):
        raise DeliveryError(
            "Only the group's leads and its hub's staff can email its participants."
        )
    people = list(participants(work_group))
    if not people:
        raise DeliveryError("The group has no participants to email yet.")
    context = {"group": work_group, "sender": by, "subject": subject, "message": message}
    for person in people:
        send_templated("group_message", [person.email], {**context, "person": person})
    audit.record_event(
        work_group,
        "emailed its participants",
        actor=by,
        subject=subject,
        recipients=str(len(people)),
    )
    return len(people)


# Attendance -------------------------------------------------------------------------------


def roster(work_group: WorkGroup):
    """The people whose attendance is taken: active participants of taken places."""
    return (
        Registration.objects.active()
        .filter(
            work_group=work_group,
            place__status__in=TAKEN_PLACE_STATUSES,
        )
        .select_related("user", "role", "place__school")
        .order_by("place__school__name", "role__order", "user__last_name", "user__first_name")
    )


@transaction.atomic
def record_attendance(*, session: Session, marks: Mapping[int, str]) -> list[Attendance]:
    """Save the whole roster's attendance for a session in one go (and again, to correct it).

    The bulk write sends no signals, so the audit trail gets one entry on the session naming
    each person whose mark changed, with the mark before (none when new) and after.
    """
    session = _lock_session(session)
    if session.cancelled:
        raise DeliveryError("This session was cancelled, so there is no attendance to take.")
    if session.starts_at > timezone.now():
        raise DeliveryError("You can take attendance once the session has started.")
    valid = set(AttendanceStatus.values)
    if any(status not in valid for status in marks.values()):
        raise DeliveryError("Choose present, late, absent or apologies for each person.")
    on_roster = set(roster(session.work_group).values_list("pk", flat=True))
    if not set(marks) <= on_roster:
        raise DeliveryError(
            "Attendance can only be taken for people in this group who have not withdrawn."
        )
    before = dict(
        Attendance.objects.filter(session=session, registration__in=marks).values_list(
            "registration_id", "status"
        )
    )
    rows = [
        Attendance(session=session, registration_id=pk, status=status)
        for pk, status in marks.items()
    ]
    saved = Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "registration"],
        update_fields=["status"],
    )
    changed = [pk for pk, status in marks.items() if before.get(pk) != status]
    people = Registration.objects.select_related("user").in_bulk(changed)
    audit.record(
        session,
        changes={
            f"attendance of {people[pk].user} (registration {pk})": (before.get(pk), marks[pk])
            for pk in changed
        },
    )
    return saved


# Session records --------------------------------------------------------------------------


def record_is_locked(work_group: WorkGroup) -> bool:
    """Records are part of the evidence once the hub has signed off the group's evaluation."""
    return work_group.evidence_locked_at is not None


@transaction.atomic
def lock_evidence(*, work_group: WorkGroup) -> None:
    """The group's evaluation was signed off: its session records become fixed evidence."""
    now = timezone.now()
    locked = WorkGroup.objects.filter(pk=work_group.pk, evidence_locked_at__isnull=True).update(
        evidence_locked_at=now
    )
    work_group.refresh_from_db(fields=["evidence_locked_at"])
    if locked:
        audit.record(work_group, changes={"evidence_locked_at": (None, now)})


@transaction.atomic
def unlock_evidence(*, work_group: WorkGroup) -> None:
    """The national team reopened the group's evaluation: its records may change again."""
    groups = WorkGroup.objects.filter(pk=work_group.pk)
    locked_at = groups.values_list("evidence_locked_at", flat=True).first()
    groups.update(evidence_locked_at=None)
    work_group.refresh_from_db(fields=["evidence_locked_at"])
    audit.record(work_group, changes={"evidence_locked_at": (locked_at, None)})


@transaction.atomic
def save_session_record(
    *,
    session: Session,
    by: User,
    what_was_done: str = "",
    observed: str = "",
    refined: str = "",
    outcome_notes: Mapping[str, str] | None = None,
    gap_task: str = "",
    finish: bool = False,
) -> SessionRecord:
    """Save a session's record as a draft, or finish it; finished records may still be edited."""
    session = _lock_session(session)
    notes = {code: text for code, text in (outcome_notes or {}).items() if text}
    _check_record(
        session, what_was_done=what_was_done, notes=notes, finish=finish, gap_task=gap_task
    )
    _check_text(
        what_was_done=what_was_done,
        what_was_observed=observed,
        how_lessons_were_refined=refined,
        between_session_task=gap_task,
        outcome_notes=max(notes.values(), key=len, default=""),
    )
    record, _ = SessionRecord.objects.update_or_create(
        session=session,
        defaults={
            "author": by,
            "what_was_done": what_was_done,
            "observed": observed,
            "refined": refined,
            "outcome_notes": notes,
            "gap_task": gap_task,
            "status": RecordStatus.FINAL if finish else RecordStatus.DRAFT,
        },
    )
    return record


def _check_record(
    session: Session, *, what_was_done: str, notes: dict, finish: bool, gap_task: str
) -> None:
    if session.cancelled:
        raise DeliveryError("This session was cancelled, so it has no record.")
    if session.starts_at > timezone.now():
        raise DeliveryError("You can write the record once the session has started.")
    if record_is_locked(session.work_group):
        raise DeliveryError("The group's evaluation is signed off, so its records are locked.")
    targeted = set(session.work_group.project.outcome_areas.values_list("code", flat=True))
    if not set(notes) <= targeted:
        raise DeliveryError("Notes can only be written against the project's outcome areas.")
    if finish and not what_was_done.strip():
        raise DeliveryError("Say what was done in the session before finishing the record.")
    project = session.work_group.project
    if gap_task.strip() and not project.rules.between_session_tasks:
        raise DeliveryError(
            Reason(
                f"A {project.rules.label.lower()} {project.group_noun} has no between-session "
                "tasks: leave the task empty.",
                field="gap_task",
            )
        )


# Completion -------------------------------------------------------------------------------


def last_session_to_come(
    work_group: WorkGroup, now: datetime.datetime | None = None
) -> Session | None:
    """The group's last session (not cancelled) that has not ended yet, if any: until it has
    taken place, the year is not over."""
    return (
        Session.objects.filter(
            work_group=work_group, cancelled=False, ends_at__gt=now or timezone.now()
        )
        .order_by("-starts_at")
        .first()
    )


def held_sessions(work_group: WorkGroup, now: datetime.datetime | None = None):
    """Sessions that took place: not cancelled and already over."""
    now = now or timezone.now()
    return Session.objects.filter(work_group=work_group, cancelled=False, ends_at__lte=now)


# Closing the year (who completed) is ``workgroups.services.completion``.


# Targeted Support action plans ------------------------------------------------------------


def _check_action_plan(group: WorkGroup) -> None:
    if not group.project.rules.action_plan:
        raise DeliveryError("Only Targeted Support in Maths groups have an action plan.")


@transaction.atomic
def add_milestone(
    *, work_group: WorkGroup, term: str, description: str, due_on: datetime.date | None = None
) -> Milestone:
    """Add a step to a Targeted Support school's action plan."""
    group = WorkGroup.objects.locked(work_group)
    _check_action_plan(group)
    if term not in MilestoneTerm.values:
        raise DeliveryError("Choose short, medium or long term.")
    if not description.strip():
        raise DeliveryError("Say what the milestone is.")
    return Milestone.objects.create(
        work_group=group, term=term, description=description.strip(), due_on=due_on
    )


@transaction.atomic
def update_milestone(*, milestone: Milestone, status: str, notes: str) -> Milestone:
    """Record progress on a milestone after a visit."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if status not in MilestoneStatus.values:
        raise DeliveryError("Choose a status from the list.")
    _check_text(notes=notes)
    milestone.status, milestone.notes = status, notes
    milestone.save(update_fields=["status", "notes", "updated_at"])
    return milestone
