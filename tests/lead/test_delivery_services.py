"""Delivery services: sessions, attendance, records, completion and action plans."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import ActivityType
from tests.factories import (
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SessionFactory,
    SessionRecordFactory,
    signed_off_evaluation,
)
from tests.lead.factories import add_schools, led_group, past_session
from workgroups import services
from workgroups.models import (
    Attendance,
    Completion,
    MilestoneStatus,
    PlaceStatus,
    RecordStatus,
    Session,
    SessionRecord,
    WorkGroupStatus,
)
from workgroups.services.delivery import SessionNeedsConfirmation

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
LINK = "https://meet.example.org/abc"


def test_sessions_are_numbered_in_date_order_however_they_were_added(group):
    later = SessionFactory(work_group=group, number=1)  # a fortnight away
    start = timezone.now() + datetime.timedelta(days=3)

    sooner = services.schedule_session(
        work_group=group, starts_at=start, ends_at=start + HOUR, mode="online", joining_link=LINK
    )

    later.refresh_from_db()
    assert (sooner.number, later.number) == (1, 2)

    services.reschedule_session(
        session=sooner,
        starts_at=later.ends_at + datetime.timedelta(days=7),
        ends_at=later.ends_at + datetime.timedelta(days=7, hours=1),
        mode="online",
        focus="plan",
        joining_link=LINK,
    )

    later.refresh_from_db()
    sooner.refresh_from_db()
    assert (later.number, sooner.number) == (1, 2)


def test_a_session_outside_the_groups_school_year_is_refused(group):
    far = timezone.make_aware(datetime.datetime(9999, 1, 1, 16))

    with pytest.raises(services.DeliveryError) as refused:
        services.schedule_session(
            work_group=group, starts_at=far, ends_at=far + HOUR, mode="online", joining_link=LINK
        )

    [reason] = refused.value.details
    assert reason.field == "date"
    assert str(group.academic_year) in reason.message
    assert not group.sessions.exists()


@pytest.mark.parametrize(
    ("mode", "venue", "link", "fields"),
    [
        ("face_to_face", "", "", {"venue"}),
        ("online", "Hilltop Primary", "", {"joining_link"}),
        ("blended", "", "", {"venue", "joining_link"}),
        ("face_to_face", "   ", "https://meet.example.org/x", {"venue"}),
    ],
)
def test_a_session_needs_a_venue_to_go_to_or_a_link_to_join(group, mode, venue, link, fields):
    start = timezone.now() + datetime.timedelta(days=3)

    with pytest.raises(services.DeliveryError) as refused:
        services.schedule_session(
            work_group=group,
            starts_at=start,
            ends_at=start + HOUR,
            mode=mode,
            venue=venue,
            joining_link=link,
        )

    assert {reason.field for reason in refused.value.details} == fields
    assert not group.sessions.exists()


def test_an_overlapping_session_needs_confirming_and_says_which_it_overlaps(group):
    start = timezone.now() + datetime.timedelta(days=3)
    first = services.schedule_session(
        work_group=group,
        starts_at=start,
        ends_at=start + 2 * HOUR,
        mode="online",
        joining_link=LINK,
    )
    overlapping = {
        "starts_at": start + HOUR,
        "ends_at": start + 3 * HOUR,
        "mode": "online",
        "joining_link": LINK,
    }

    with pytest.raises(SessionNeedsConfirmation) as asked:
        services.schedule_session(work_group=group, **overlapping)

    assert asked.value.reasons[0].startswith(f"It overlaps session {first.number} (")
    assert group.sessions.count() == 1
    services.schedule_session(work_group=group, confirmed=True, **overlapping)
    assert group.sessions.count() == 2


def test_a_past_session_needs_confirming_and_says_which_open_task_it_would_close(
    group, registrations
):
    set_task = past_session(group, days_ago=10)
    SessionRecordFactory(session=set_task, gap_task="Try a bar model with your class.")
    when = timezone.now() - datetime.timedelta(days=2)
    details = {"starts_at": when, "ends_at": when + HOUR, "mode": "online", "joining_link": LINK}

    with pytest.raises(SessionNeedsConfirmation) as asked:
        services.schedule_session(work_group=group, **details)

    assert asked.value.reasons[0].startswith("It is in the past (")
    assert f"the task set at session {set_task.number}" in asked.value.reasons[1]
    assert group.sessions.count() == 1
    added = services.schedule_session(work_group=group, confirmed=True, **details)
    assert added.number == 2


def test_a_session_ending_before_it_starts_is_refused(group):
    start = timezone.now() + datetime.timedelta(days=3)

    with pytest.raises(services.DeliveryError, match="must end after it starts"):
        services.schedule_session(
            work_group=group,
            starts_at=start,
            ends_at=start - HOUR,
            mode="online",
            joining_link=LINK,
        )

    assert not Session.objects.filter(work_group=group).exists()


def test_scheduling_the_same_session_twice_gives_the_one_session(group):
    start = timezone.now() + datetime.timedelta(days=3)
    details = {"starts_at": start, "ends_at": start + HOUR, "mode": "online", "joining_link": LINK}

    first = services.schedule_session(work_group=group, **details)
    again = services.schedule_session(work_group=group, **details)

    assert again == first
    assert list(group.sessions.values_list("number", flat=True)) == [first.number]


def test_a_different_session_at_the_same_start_is_refused_saying_which(group):
    start = timezone.now() + datetime.timedelta(days=3)
    first = services.schedule_session(
        work_group=group, starts_at=start, ends_at=start + HOUR, mode="online", joining_link=LINK
    )

    with pytest.raises(services.DeliveryError) as refused:
        services.schedule_session(
            work_group=group,
            starts_at=start,
            ends_at=start + 2 * HOUR,
            mode="online",
            joining_link=LINK,
        )

    [reason] = refused.value.details
    assert reason.message.startswith(f"Session {first.number} already starts at this time.")
    assert reason.field == "starts_at"
    assert group.sessions.count() == 1


def test_a_cancelled_sessions_time_can_be_used_again(group):
    start = timezone.now() + datetime.timedelta(days=3)
    first = services.schedule_session(
        work_group=group, starts_at=start, ends_at=start + HOUR, mode="online", joining_link=LINK
    )
    services.cancel_session(session=first)

    again = services.schedule_session(
        work_group=group, starts_at=start, ends_at=start + HOUR, mode="online", joining_link=LINK
    )

    assert again.number == first.number + 1


def test_the_database_refuses_two_live_sessions_of_a_group_at_one_time(group):
    session = SessionFactory(work_group=group)

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(work_group=group, starts_at=session.starts_at)

    assert group.sessions.count() == 1


def test_moving_a_session_onto_another_sessions_start_is_refused(group):
    first, second = SessionFactory(work_group=group), SessionFactory(work_group=group)

    with pytest.raises(services.DeliveryError, match="already starts at this time"):
        services.reschedule_session(
            session=second,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            mode="online",
            focus="plan",
        )

    second.refresh_from_db()
    assert second.starts_at != first.starts_at


def test_moving_a_session_emails_each_participant_separately(
    group, registrations, django_capture_on_commit_callbacks
):
    session = SessionFactory(work_group=group)
    later = session.starts_at + datetime.timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(
            session=session,
            starts_at=later,
            ends_at=later + HOUR,
            mode="online",
            focus="plan",
            joining_link=LINK,
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in registrations)
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "has changed" in mail.outbox[0].subject
    assert timezone.localtime(later).strftime("%H:%M") in mail.outbox[0].body


def test_changing_only_the_plan_sends_no_email(
    group, registrations, django_capture_on_commit_callbacks
):
    session = SessionFactory(work_group=group)

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(
            session=session,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            mode=session.mode,
            focus="observe",
            venue=session.venue,
            joining_link=session.joining_link,
            planned="Observe a lesson on fractions.",
        )

    assert mail.outbox == []
    session.refresh_from_db()
    assert session.focus == "observe"


def test_withdrawn_participants_are_not_told_about_a_cancellation(
    group, registrations, django_capture_on_commit_callbacks
):
    services.withdraw(registration=registrations[0])
    session = SessionFactory(work_group=group)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session)

    session.refresh_from_db()
    assert session.cancelled
    recipients = {m.to[0] for m in mail.outbox}
    assert registrations[0].user.email not in recipients
    assert registrations[1].user.email in recipients
    assert "cancelled" in mail.outbox[0].subject


def test_attendance_is_saved_for_the_roster_and_can_be_corrected(group, registrations):
    session = past_session(group)
    first, second, *_ = registrations

    services.record_attendance(session=session, marks={first.pk: "present", second.pk: "late"})
    services.record_attendance(session=session, marks={first.pk: "apologies"})

    marks = dict(session.attendances.values_list("registration_id", "status"))
    assert marks == {first.pk: "apologies", second.pk: "late"}


def test_attendance_for_someone_not_in_the_group_is_refused_and_nothing_is_saved(
    group, registrations
):
    session = past_session(group)
    outsider = RegistrationFactory()

    with pytest.raises(services.DeliveryError, match="people in this group"):
        services.record_attendance(
            session=session, marks={registrations[0].pk: "present", outsider.pk: "present"}
        )

    assert not Attendance.objects.exists()


def test_attendance_for_a_withdrawn_registration_is_refused(group, registrations):
    session = past_session(group)
    services.withdraw(registration=registrations[0])

    with pytest.raises(services.DeliveryError):
        services.record_attendance(session=session, marks={registrations[0].pk: "present"})

    assert not Attendance.objects.exists()


def test_attendance_off_the_list_of_statuses_is_refused(group, registrations):
    session = past_session(group)

    with pytest.raises(services.DeliveryError, match="present, late, absent or apologies"):
        services.record_attendance(session=session, marks={registrations[0].pk: "asleep"})


def test_attendance_waits_until_the_session_has_started(group, registrations):
    session = SessionFactory(work_group=group)

    with pytest.raises(services.DeliveryError, match="once the session has started"):
        services.record_attendance(session=session, marks={registrations[0].pk: "present"})


def test_a_record_is_saved_as_draft_then_finished(group, lead):
    session = past_session(group)

    services.save_session_record(session=session, by=lead.user, what_was_done="Planned.")
    record = services.save_session_record(
        session=session,
        by=lead.user,
        what_was_done="Planned a lesson.",
        outcome_notes={"practice": "More use of bar models."},
        gap_task="Teach it.",
        finish=True,
    )

    assert SessionRecord.objects.get() == record
    assert record.status == RecordStatus.FINAL
    assert record.outcome_notes == {"practice": "More use of bar models."}


def test_a_record_cannot_be_finished_without_saying_what_was_done(group, lead):
    with pytest.raises(services.DeliveryError, match="what was done"):
        services.save_session_record(session=past_session(group), by=lead.user, finish=True)

    assert not SessionRecord.objects.exists()


def test_notes_against_an_area_the_project_does_not_target_are_refused(group, lead):
    group.project.outcome_areas.clear()

    with pytest.raises(services.DeliveryError, match="outcome areas"):
        services.save_session_record(
            session=past_session(group), by=lead.user, outcome_notes={"practice": "Notes"}
        )


def test_oversized_record_text_is_refused(group, lead):
    with pytest.raises(services.DeliveryError, match="5000 characters"):
        services.save_session_record(session=past_session(group), by=lead.user, observed="x" * 5001)

    assert not SessionRecord.objects.exists()


def test_records_are_locked_once_the_evaluation_is_signed_off(group, lead):
    session = past_session(group)
    services.save_session_record(session=session, by=lead.user, what_was_done="Planned.")
    signed_off_evaluation(group)

    with pytest.raises(services.DeliveryError, match="locked"):
        services.save_session_record(session=session, by=lead.user, what_was_done="Changed.")

    assert SessionRecord.objects.get().what_was_done == "Planned."


def attend(session, registration, status="present"):
    Attendance.objects.create(session=session, registration=registration, status=status)


def test_schools_with_someone_attending_enough_held_sessions_complete_the_group(group):
    group.project.completion_attendance = 75
    group.project.save()
    keen, patchy = (add_schools(group, 1, people=2) for _ in range(2))
    sessions = [past_session(group, days_ago=d) for d in (40, 30, 20, 10)]
    past_session(group, days_ago=5, cancelled=True)
    for session in sessions[:3]:
        attend(session, keen[0], "late")  # late counts as there
    attend(sessions[3], keen[1])
    attend(sessions[0], patchy[0])
    attend(sessions[1], patchy[1])  # two people's halves do not make a whole
    attend(sessions[2], patchy[1], "absent")

    completed = services.mark_completions(work_group=group)

    assert [p.school for p in completed] == [keen[0].place.school]
    outcomes = dict(group.registrations.values_list("pk", "completion"))
    assert [outcomes[r.pk] for r in keen + patchy] == [
        Completion.COMPLETED,
        Completion.NOT_COMPLETED,
        Completion.NOT_COMPLETED,
        Completion.NOT_COMPLETED,
    ]
    keen[0].place.refresh_from_db()
    patchy[0].place.refresh_from_db()
    assert keen[0].place.status == PlaceStatus.COMPLETED
    assert patchy[0].place.status == PlaceStatus.NOT_COMPLETED
    group.refresh_from_db()
    assert group.status == WorkGroupStatus.COMPLETED


def test_closing_the_year_waits_for_the_last_session(group, registrations):
    attend(past_session(group), registrations[0])
    SessionFactory(work_group=group)

    with pytest.raises(services.DeliveryError, match="have not happened yet"):
        services.mark_completions(work_group=group)

    registrations[0].place.refresh_from_db()
    assert registrations[0].place.status == PlaceStatus.CONFIRMED


def test_closing_the_year_twice_changes_nothing_more(group, registrations):
    attend(past_session(group), registrations[0])

    first = services.mark_completions(work_group=group)
    second = services.mark_completions(work_group=group)

    assert len(first) == 1
    assert second == []


def test_withdrawn_places_do_not_complete(group):
    session = past_session(group)
    place = PlaceFactory(work_group=group, status=PlaceStatus.WITHDRAWN)
    attend(session, RegistrationFactory(place=place))

    assert services.mark_completions(work_group=group) == []


def test_milestones_are_added_and_updated_for_targeted_support_only(hub, lead, group):
    support = led_group(
        hub=hub, lead=lead, project=ProjectFactory(activity_type=ActivityType.TARGETED_SUPPORT)
    )

    milestone = services.add_milestone(
        work_group=support, term="medium", description="Shared calculation policy"
    )
    services.update_milestone(milestone=milestone, status="achieved", notes="Agreed by staff.")

    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.ACHIEVED
    with pytest.raises(services.DeliveryError, match="Targeted Support"):
        services.add_milestone(work_group=group, term="short", description="Anything")


def test_a_face_to_face_session_without_a_venue_of_its_own_meets_at_the_groups(group):
    group.venue = "Civic Hall, Leeds"
    group.save(update_fields=["venue"])
    start = timezone.now() + datetime.timedelta(days=3)

    session = services.schedule_session(
        work_group=group, starts_at=start, ends_at=start + HOUR, mode="face_to_face"
    )

    assert session.venue == ""
