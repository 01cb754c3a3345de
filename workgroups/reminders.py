"""Reminder emails: a session coming up, a between-session task not answered, a lead's missing
attendance or record, and hub staff's places waiting for approval.

``send_due`` runs every hour (Celery beat, ``workgroups.tasks.send_reminders``). Each function
finds what is due at ``now`` in a fixed number of queries, then sends each email with its
``ReminderSent`` row in one transaction, under the row's unique constraint: however often, or
however many workers at once, run it, nobody gets the same reminder twice.

None of these is essential, so each goes only to active people whose profile says "email me
reminders" (``User.reminder_emails``). Essential emails (places, cancellations, the account)
are sent elsewhere and are not affected.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from core.email import absolute_url, send_templated
from participants.models import HubMembership, User
from workgroups.models import (
    LIVE_GROUP_STATUSES,
    PROMOTABLE_GROUP_STATUSES,
    TAKEN_PLACE_STATUSES,
    Attendance,
    GapTaskResponse,
    Place,
    PlaceStatus,
    RecordStatus,
    Registration,
    RegistrationStatus,
    ReminderSent,
    Session,
    SessionRecord,
    WorkGroup,
)

logger = logging.getLogger(__name__)

SESSION_SOON = "session_soon"
TASK_AFTER_SESSION = "task_after_session"
TASK_BEFORE_NEXT = "task_before_next"
LEAD_MISSING_RECORD = "lead_missing_record"
APPROVALS_WAITING = "approvals_waiting"

# A session is announced this long before it starts.
SESSION_NOTICE = datetime.timedelta(days=2)
# The second task reminder goes this long before the next session.
TASK_NOTICE = datetime.timedelta(days=2)
# The first task reminder goes only this soon after the session (never for old sessions).
TASK_AFTER_WITHIN = datetime.timedelta(days=14)
# Leads are reminded of sessions that ended at most this long ago.
LEAD_WITHIN = datetime.timedelta(days=7)

LeadLink = WorkGroup.leads.through
# Sessions are reminded of in published groups (not drafts, not cancelled ones).
REMINDED_GROUP_STATUSES = LIVE_GROUP_STATUSES


@dataclass
class Reminder:
    """One email to send: to whom, which reminder (``kind`` and ``key``), and its content."""

    user: User
    kind: str
    key: str
    context: dict = field(default_factory=dict)


def _reminded(prefix: str = "user__") -> Q:
    """People who get reminders: active, and not opted out."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}reminder_emails": True})


def _participants(group_ids) -> list[Registration]:
    """Every participant (active registration in a taken place) of these groups who takes
    reminders, with their user: one query."""
    return list(
        Registration.objects.filter(
            _reminded(),
            work_group__in=group_ids,
            status=RegistrationStatus.ACTIVE,
            place__status__in=TAKEN_PLACE_STATUSES,
        ).select_related("user")
    )


def _leads(group_ids) -> dict[int, list[User]]:
    """Each group's active leads who take reminders: one query."""
    links = LeadLink.objects.filter(
        _reminded("llme__user__"), workgroup_id__in=group_ids, llme__active=True
    ).select_related("llme__user")
    leads: dict[int, list[User]] = {}
    for link in links:
        leads.setdefault(link.workgroup_id, []).append(link.llme.user)
    return leads


def _next_session_start() -> Subquery:
    """The start of the next (not cancelled) session of the outer record's group."""
    return Subquery(
        Session.objects.filter(
            work_group=OuterRef("session__work_group"),
            starts_at__gt=OuterRef("session__starts_at"),
            cancelled=False,
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


# What is due ----------------------------------------------------------------------------------


def session_soon(now: datetime.datetime) -> list[Reminder]:
    """Participants and leads of each session starting within ``SESSION_NOTICE``: where and
    when, with the venue or the joining link (they may see it). Three queries."""
    sessions = list(
        Session.objects.filter(
            cancelled=False,
            starts_at__gt=now,
            starts_at__lte=now + SESSION_NOTICE,
            work_group__status__in=REMINDED_GROUP_STATUSES,
        ).select_related("work_group__project", "work_group__hub")
    )
    group_ids = {session.work_group_id for session in sessions}
    people: dict[int, list[User]] = {}
    for registration in _participants(group_ids) if sessions else ():
        people.setdefault(registration.work_group_id, []).append(registration.user)
    leads = _leads(group_ids) if sessions else {}
    due = []
    for session in sessions:
        group = session.work_group
        context = {
            "session": session,
            "group": group,
            "venue": session.venue or group.venue,
            "joining_link": session.joining_link,
        }
        page = absolute_url(reverse("workgroups:session", kwargs={"pk": session.pk}))
        lead_page = absolute_url(reverse("lead:group", kwargs={"pk": group.pk}))
        for user in people.get(group.pk, []):
            due.append(Reminder(user, SESSION_SOON, str(session.pk), {**context, "url": page}))
        for user in leads.get(group.pk, []):
            lead_context = {**context, "url": lead_page, "as_lead": True}
            due.append(Reminder(user, SESSION_SOON, str(session.pk), lead_context))
    return due


def task_after_session(now: datetime.datetime) -> list[Reminder]:
    """Participants who have not answered the between-session task set at a session: once
    after the session, and again ``TASK_NOTICE`` before the next one. Three queries."""
    records = list(
        SessionRecord.objects.exclude(gap_task="")
        .filter(
            session__cancelled=False,
            session__ends_at__lte=now,
            session__work_group__status__in=REMINDED_GROUP_STATUSES,
        )
        .annotate(next_start=_next_session_start())
        .filter(
            Q(next_start__isnull=True) | Q(next_start__gt=now),
            Q(session__ends_at__gt=now - TASK_AFTER_WITHIN) | Q(next_start__lte=now + TASK_NOTICE),
        )
        .select_related("session__work_group__project")
    )
    if not records:
        return []
    answered = set(
        GapTaskResponse.objects.filter(session_record__in=records).values_list(
            "session_record_id", "registration_id"
        )
    )
    people: dict[int, list[Registration]] = {}
    for registration in _participants({record.session.work_group_id for record in records}):
        people.setdefault(registration.work_group_id, []).append(registration)
    due = []
    for record in records:
        before_next = record.next_start is not None and record.next_start <= now + TASK_NOTICE
        session = record.session
        context = {
            "record": record,
            "session": session,
            "group": session.work_group,
            "deadline": record.next_start,
            "before_next": before_next,
            "url": absolute_url(reverse("workgroups:session", kwargs={"pk": session.pk})),
        }
        kind = TASK_BEFORE_NEXT if before_next else TASK_AFTER_SESSION
        for registration in people.get(session.work_group_id, []):
            if (record.pk, registration.pk) not in answered:
                due.append(Reminder(registration.user, kind, str(record.pk), context))
    return due


def lead_missing_record(now: datetime.datetime) -> list[Reminder]:
    """From the day after a held session, its leads, while attendance is not taken (and the
    group has participants to mark) or the record is not finished. Two queries."""
    today_starts = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time.min)
    )
    participants = Registration.objects.filter(
        work_group=OuterRef("work_group"),
        status=RegistrationStatus.ACTIVE,
        place__status__in=TAKEN_PLACE_STATUSES,
    )
    sessions = list(
        Session.objects.filter(
            cancelled=False,
            ends_at__lt=today_starts,
            ends_at__gte=today_starts - LEAD_WITHIN,
            work_group__status__in=REMINDED_GROUP_STATUSES,
        )
        .annotate(
            marked=Exists(Attendance.objects.filter(session=OuterRef("pk"))),
            has_people=Exists(participants),
            finished=Exists(
                SessionRecord.objects.filter(session=OuterRef("pk"), status=RecordStatus.FINAL)
            ),
        )
        .filter(Q(marked=False, has_people=True) | Q(finished=False))
        .select_related("work_group__project")
    )
    leads = _leads({session.work_group_id for session in sessions}) if sessions else {}
    due = []
    for session in sessions:
        context = {
            "session": session,
            "group": session.work_group,
            "attendance_missing": session.has_people and not session.marked,
            "record_missing": not session.finished,
            "attendance_url": absolute_url(reverse("lead:attendance", kwargs={"pk": session.pk})),
            "record_url": absolute_url(reverse("lead:record", kwargs={"pk": session.pk})),
            "url": absolute_url(reverse("lead:group", kwargs={"pk": session.work_group_id})),
        }
        for user in leads.get(session.work_group_id, []):
            due.append(Reminder(user, LEAD_MISSING_RECORD, str(session.pk), context))
    return due


def approvals_waiting(now: datetime.datetime) -> list[Reminder]:
    """Once a day, each hub's staff, if places in its groups await approval: how many, with a
    link to the admin's list of them. Someone on several hubs' staff gets one email. Two
    queries."""
    waiting = dict(
        Place.objects.filter(status=PlaceStatus.PENDING)
        .filter(work_group__status__in=PROMOTABLE_GROUP_STATUSES)
        .order_by()
        .values("work_group__hub")
        .annotate(n=Count("pk"))
        .values_list("work_group__hub", "n")
    )
    if not waiting:
        return []
    memberships = (
        HubMembership.objects.filter(_reminded(), hub_id__in=waiting)
        .select_related("user", "hub")
        .order_by("user_id", "hub__name")
    )
    changelist = reverse("admin:workgroups_place_changelist")
    hubs: dict[int, list[dict]] = {}
    users: dict[int, User] = {}
    for membership in memberships:
        query = urlencode(
            {"status__exact": PlaceStatus.PENDING, "work_group__hub__id__exact": membership.hub_id}
        )
        users[membership.user_id] = membership.user
        hubs.setdefault(membership.user_id, []).append(
            {
                "hub": membership.hub,
                "count": waiting[membership.hub_id],
                "url": absolute_url(f"{changelist}?{query}"),
            }
        )
    key = timezone.localdate(now).isoformat()
    return [
        Reminder(
            user,
            APPROVALS_WAITING,
            key,
            {"hubs": hubs[pk], "total": sum(hub["count"] for hub in hubs[pk])},
        )
        for pk, user in users.items()
    ]


# Sending ---------------------------------------------------------------------------------------

TEMPLATES = {
    SESSION_SOON: "reminder_session_soon",
    TASK_AFTER_SESSION: "reminder_task",
    TASK_BEFORE_NEXT: "reminder_task",
    LEAD_MISSING_RECORD: "reminder_lead_missing_record",
    APPROVALS_WAITING: "reminder_approvals_waiting",
}
KINDS = (session_soon, task_after_session, lead_missing_record, approvals_waiting)


def send(reminders: list[Reminder]) -> int:
    """Send each reminder not sent before (with its ``ReminderSent`` row, in one transaction);
    returns how many went to the outbox."""
    reminders = list({(r.user.pk, r.kind, r.key): r for r in reminders}.values())
    if not reminders:
        return 0
    already = set(
        ReminderSent.objects.filter(
            user__in={r.user.pk for r in reminders},
            kind__in={r.kind for r in reminders},
            key__in={r.key for r in reminders},
        ).values_list("user_id", "kind", "key")
    )
    common = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "profile_url": absolute_url(reverse("participants:profile")),
    }
    return sum(
        _send_one(reminder, common)
        for reminder in reminders
        if (reminder.user.pk, reminder.kind, reminder.key) not in already
    )


def _send_one(reminder: Reminder, common: dict) -> bool:
    """Record and queue one reminder together; ``False`` if another run sent it a moment ago."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=reminder.user, kind=reminder.kind, key=reminder.key)
            context = {**common, **reminder.context, "person": reminder.user}
            send_templated(TEMPLATES[reminder.kind], [reminder.user.email], context)
    except IntegrityError:
        return False
    return True


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Every reminder due at ``now``; returns how many were sent."""
    now = now or timezone.now()
    return sum(send(find(now)) for find in KINDS)
