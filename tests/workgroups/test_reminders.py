"""Reminder emails: sessions coming up, between-session tasks not answered, leads' missing
attendance and records, and hub staff's waiting approvals; each sent once, and never to people
who turned reminders off."""

import datetime
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import OutboxMessage
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    PlaceFactory,
    RegistrationFactory,
    SessionFactory,
    SessionRecordFactory,
    WorkGroupFactory,
)
from tests.support import at_once
from workgroups import reminders, tasks
from workgroups.models import (
    Attendance,
    AttendanceStatus,
    DeliveryMode,
    GapTaskResponse,
    PlaceStatus,
    RecordStatus,
    RegistrationStatus,
    ReminderSent,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SITE = settings.SITE_URL.rstrip("/")
PROFILE_LINE = f"You can turn off reminder emails on your profile: {SITE}/me/profile/"


def local(year, month, day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


# A Wednesday at noon, well inside the 2026/27 school year.
NOW = local(2027, 1, 13, 12)


def group_led_by(email="lead@example.org", **fields):
    """A running group in 2026/27 with one lead (none if ``email`` is ``None``)."""
    fields.setdefault("academic_year", AcademicYearFactory(start_year=2026))
    group = WorkGroupFactory(status=WorkGroupStatus.RUNNING, **fields)
    if email:
        group.leads.add(LLMEFactory(hub=group.hub, user__email=email))
    return group


def session_at(group, starts_at, **fields):
    return SessionFactory(
        work_group=group, starts_at=starts_at, ends_at=starts_at + 2 * HOUR, **fields
    )


def participant(group, email, **user_fields):
    place = PlaceFactory(work_group=group)
    return RegistrationFactory(place=place, user__email=email, **user_fields)


def to(address):
    return [message for message in mail.outbox if message.to == [address]]


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the reminders at ``now`` and deliver the outbox, as the hourly job does."""

    def run_at(now):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_due(now=now)

    return run_at


# A session coming up --------------------------------------------------------------------------


def test_participants_and_leads_hear_of_a_session_two_days_ahead_and_only_once(run):
    group = group_led_by(name="Cedar Group", venue="Group venue")
    session = session_at(group, local(2027, 1, 15, 10), number=3, venue="Hilltop Primary School")
    participant(group, "ada@example.org")
    participant(group, "bea@example.org")

    assert run(NOW - DAY) == 0  # three days ahead: too early
    assert run(NOW) == 3
    assert run(NOW + HOUR) == 0
    assert run(session.starts_at - HOUR) == 0

    assert recipients() == ["ada@example.org", "bea@example.org", "lead@example.org"]
    message = to("ada@example.org")[0]
    assert message.subject == "Reminder: Cedar Group, session 3 on Friday 15 January"
    assert "Friday 15 January 2027, 10:00 to 12:00" in message.body
    assert "Where: Hilltop Primary School" in message.body
    assert f"The session: {SITE}/groups/sessions/{session.pk}/" in message.body
    assert PROFILE_LINE in message.body
    assert settings.SITE_NAME in message.body
    lead_message = to("lead@example.org")[0]
    assert "which you lead" in lead_message.body
    assert f"Your group: {SITE}/lead/groups/{group.pk}/" in lead_message.body


def test_an_online_session_email_carries_its_joining_link(run):
    group = group_led_by()
    session_at(
        group,
        NOW + DAY,
        mode=DeliveryMode.ONLINE,
        venue="",
        joining_link="https://meet.example/room-42",
    )
    participant(group, "ada@example.org")

    run(NOW)

    body = to("ada@example.org")[0].body
    assert "Joining link: https://meet.example/room-42" in body
    assert "Where:" not in body


def test_a_session_without_its_own_venue_names_the_groups(run):
    group = group_led_by(venue="Riverside Teaching School")
    session_at(group, NOW + DAY, venue="")
    participant(group, "ada@example.org")

    run(NOW)

    assert "Where: Riverside Teaching School" in to("ada@example.org")[0].body


def test_no_session_reminder_for_cancellations_leavers_opt_outs_or_closed_accounts(run):
    group = group_led_by()
    session_at(group, NOW + DAY)
    session_at(group, NOW + DAY + 3 * HOUR, cancelled=True)
    participant(group, "ada@example.org")
    participant(group, "left@example.org", status=RegistrationStatus.WITHDRAWN)
    participant(group, "optout@example.org", user__reminder_emails=False)
    participant(group, "closed@example.org", user__is_active=False)
    waiting = participant(group, "waiting@example.org")
    waiting.place.status = PlaceStatus.WAITLISTED
    waiting.place.save()
    cancelled = group_led_by(email="other-lead@example.org")
    session_at(cancelled, NOW + DAY)
    participant(cancelled, "cancelled@example.org")
    cancelled.status = WorkGroupStatus.CANCELLED
    cancelled.save()

    assert run(NOW) == 2

    assert recipients() == ["ada@example.org", "lead@example.org"]


# Between-session tasks ------------------------------------------------------------------------


@pytest.fixture
def task_set():
    """Session 1 ended yesterday and set a task; session 2 is ten days away. (No lead: the
    lead's own reminders are tested below.)"""
    group = group_led_by(None, name="Cedar Group")
    first = session_at(group, NOW - DAY, number=1)
    second = session_at(group, NOW + 10 * DAY, number=2)
    record = SessionRecordFactory(session=first, gap_task="Try the bar model with Year 5.")
    return group, record, second


def answer(registration, record):
    GapTaskResponse.objects.create(
        registration=registration, session_record=record, what_i_did="Used it twice."
    )


def test_a_task_reminder_goes_after_the_session_only_to_who_has_not_answered(run, task_set):
    group, record, _ = task_set
    answered = participant(group, "done@example.org")
    participant(group, "ada@example.org")
    answer(answered, record)

    assert run(NOW) == 1
    assert run(NOW + HOUR) == 0
    assert run(NOW + 5 * DAY) == 0

    assert recipients() == ["ada@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Reminder: your between-session task for Cedar Group"
    assert "Try the bar model with Year 5." in message.body
    assert f"{SITE}/groups/sessions/{record.session_id}/" in message.body
    assert PROFILE_LINE in message.body


def test_a_second_task_reminder_goes_two_days_before_the_next_session_if_still_unanswered(
    run, task_set
):
    group, record, second = task_set
    ada = participant(group, "ada@example.org")
    bea = participant(group, "bea@example.org")
    run(NOW)
    mail.outbox.clear()
    answer(bea, record)

    assert run(second.starts_at - 3 * DAY) == 0
    assert run(second.starts_at - DAY) == 3  # with the session's own reminder to both
    assert run(second.starts_at - DAY + HOUR) == 0
    assert run(second.starts_at + HOUR) == 0

    task_reminders = [m for m in mail.outbox if "between-session task" in m.subject]
    assert [m.to for m in task_reminders] == [[ada.user.email]]
    message = task_reminders[0]
    assert message.subject == "Before the next session: your between-session task for Cedar Group"
    assert "Saturday 23 January at 12:00" in message.body
    assert sorted(m.subject for m in to(bea.user.email)) == [
        "Reminder: Cedar Group, session 2 on Saturday 23 January"
    ]


def test_no_task_reminder_without_a_task_or_after_the_next_session_started(run):
    group = group_led_by(None)
    first = session_at(group, NOW - 3 * DAY, number=1)
    session_at(group, NOW - HOUR, number=2)
    SessionRecordFactory(session=first, gap_task="Too late now.")
    SessionRecordFactory(session=session_at(group, NOW - 2 * DAY, number=3), gap_task="")
    participant(group, "ada@example.org")

    assert run(NOW) == 0


def test_no_task_reminder_for_people_who_turned_reminders_off(run, task_set):
    group, _, second = task_set
    participant(group, "optout@example.org", user__reminder_emails=False)

    assert run(NOW) == 0
    assert run(second.starts_at - DAY) == 0


# Leads: attendance and records ---------------------------------------------------------------


def test_a_lead_is_reminded_the_day_after_of_missing_attendance_or_record(run):
    group = group_led_by(name="Cedar Group")
    registration = participant(group, "ada@example.org")
    day = local(2027, 1, 12, 16)  # yesterday
    complete = session_at(group, day - 2 * DAY, number=1)
    no_record = session_at(group, day - DAY, number=2)
    no_attendance = session_at(group, day, number=3)
    for session in (complete, no_record):
        Attendance.objects.create(
            session=session, registration=registration, status=AttendanceStatus.PRESENT
        )
    SessionRecordFactory(session=complete, status=RecordStatus.FINAL, gap_task="")
    SessionRecordFactory(session=no_record, status=RecordStatus.DRAFT, gap_task="")
    SessionRecordFactory(session=no_attendance, status=RecordStatus.FINAL, gap_task="")

    assert run(day + 4 * HOUR) == 1  # that evening: only session 2's, from the day before
    assert run(NOW) == 1  # the next day: session 3's too
    assert run(NOW + HOUR) == 0

    bodies = {message.subject: message.body for message in to("lead@example.org")}
    assert sorted(bodies) == [
        "Cedar Group: session 2 needs its record",
        "Cedar Group: session 3 needs its attendance",
    ]
    record_body = bodies["Cedar Group: session 2 needs its record"]
    attendance_body = bodies["Cedar Group: session 3 needs its attendance"]
    assert f"{SITE}/lead/sessions/{no_record.pk}/record/" in record_body
    assert "/attendance/" not in record_body
    assert f"{SITE}/lead/sessions/{no_attendance.pk}/attendance/" in attendance_body
    assert "/record/" not in attendance_body
    assert PROFILE_LINE in attendance_body


def test_no_lead_reminder_for_a_cancelled_session_or_a_lead_who_opted_out(run):
    group = group_led_by()
    participant(group, "ada@example.org")
    session_at(group, NOW - DAY, cancelled=True)
    quiet = group_led_by(email="quiet@example.org")
    lead_user = quiet.leads.get().user
    lead_user.reminder_emails = False
    lead_user.save()
    session_at(quiet, NOW - DAY)

    assert run(NOW) == 0


# Hub staff: approvals -------------------------------------------------------------------------


def test_hub_staff_get_one_daily_digest_of_their_own_hubs_waiting_places(run):
    north, south, quiet = HubFactory(name="North Hub"), HubFactory(name="South Hub"), HubFactory()
    north_group = WorkGroupFactory(hub=north, status=WorkGroupStatus.RECRUITING)
    south_group = WorkGroupFactory(hub=south, status=WorkGroupStatus.RECRUITING)
    PlaceFactory.create_batch(2, work_group=north_group, status=PlaceStatus.PENDING)
    PlaceFactory(work_group=north_group, status=PlaceStatus.CONFIRMED)
    PlaceFactory(work_group=south_group, status=PlaceStatus.PENDING)
    HubMembershipFactory(hub=north, user__email="north@example.org", mfa=False)
    HubMembershipFactory(hub=south, user__email="south@example.org", mfa=False)
    HubMembershipFactory(hub=quiet, user__email="quiet@example.org", mfa=False)
    HubMembershipFactory(
        hub=north, user__email="optout@example.org", user__reminder_emails=False, mfa=False
    )

    assert run(NOW) == 2
    assert run(NOW + 3 * HOUR) == 0

    assert recipients() == ["north@example.org", "south@example.org"]
    message = to("north@example.org")[0]
    assert message.subject == "2 places waiting for your approval"
    query = urlencode({"status__exact": "pending", "work_group__hub__id__exact": north.pk})
    assert f"{SITE}/admin/workgroups/place/?{query}" in message.body
    assert "North Hub: 2 places awaiting approval" in message.body
    assert "South Hub" not in message.body
    assert PROFILE_LINE in message.body
    assert to("south@example.org")[0].subject == "1 place waiting for your approval"

    mail.outbox.clear()
    assert run(NOW + DAY) == 2


def test_the_digests_link_opens_the_admins_list_of_the_hubs_waiting_places(run, client):
    hub = HubFactory()
    group = WorkGroupFactory(hub=hub, status=WorkGroupStatus.RECRUITING)
    PlaceFactory(work_group=group, status=PlaceStatus.PENDING, school__name="Waiting Primary")
    PlaceFactory(work_group=group, status=PlaceStatus.CONFIRMED, school__name="Settled Primary")
    other = WorkGroupFactory(status=WorkGroupStatus.RECRUITING)
    PlaceFactory(work_group=other, status=PlaceStatus.PENDING, school__name="Elsewhere Primary")
    staff = HubMembershipFactory(hub=hub, user__email="staff@example.org").user
    run(NOW)
    link = next(line for line in to("staff@example.org")[0].body.splitlines() if "/admin/" in line)
    client.force_login(staff)

    page = client.get(link.removeprefix(SITE))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Waiting Primary" in text
    assert "Settled Primary" not in text
    assert "Elsewhere Primary" not in text


# Queries -----------------------------------------------------------------------------------------


def _busy_hub(people):
    """A hub with every kind of reminder due at ``NOW``, for ``people`` participants."""
    group = group_led_by(email=None)
    group.leads.add(*LLMEFactory.create_batch(2, hub=group.hub))
    session_at(group, NOW + DAY, number=2)
    SessionRecordFactory(session=session_at(group, NOW - DAY, number=1))
    for _ in range(people):
        RegistrationFactory(place=PlaceFactory(work_group=group))
    open_group = WorkGroupFactory(hub=group.hub, status=WorkGroupStatus.RECRUITING)
    PlaceFactory.create_batch(people, work_group=open_group, status=PlaceStatus.PENDING)
    HubMembershipFactory.create_batch(people, hub=group.hub, mfa=False)


def _queries_to_find():
    counts = []
    for find in reminders.KINDS:
        with CaptureQueriesContext(connection) as queries:
            assert find(NOW)
        counts.append(len(queries))
    return counts


def test_finding_what_is_due_takes_the_same_queries_for_few_or_many_people():
    _busy_hub(1)
    few = _queries_to_find()

    for _ in range(3):
        _busy_hub(6)

    assert _queries_to_find() == few
    assert few == [3, 3, 2, 2]


# The Celery task, and two workers at once -----------------------------------------------------


def test_the_celery_task_sends_what_is_due_now_once(django_capture_on_commit_callbacks):
    group = group_led_by(academic_year=AcademicYearFactory())
    session_at(group, timezone.now() + DAY)
    participant(group, "ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders.delay().get() == 2
    assert tasks.send_reminders() == 0

    assert recipients() == ["ada@example.org", "lead@example.org"]
    assert ReminderSent.objects.filter(kind=reminders.SESSION_SOON).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(require_postgres, monkeypatch):
    group = group_led_by()
    group.leads.clear()
    session_at(group, NOW + DAY)
    participant(group, "ada@example.org")

    results, errors = at_once(
        [lambda: reminders.send_due(now=NOW)] * 2,
        meeting_at=ReminderSent.objects,
        monkeypatch=monkeypatch,
    )

    assert errors == []
    assert sorted(results) == [0, 1]
    assert OutboxMessage.objects.filter(to="ada@example.org").count() == 1
    assert ReminderSent.objects.count() == 1
