"""Closing a group's year: each person completes or not from their own attendance (pro rata for
late joiners), each school from its people, and the lead may override an outcome with a reason."""

import datetime
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Ceil
from django.urls import reverse
from django.utils import timezone

from core import audit
from tests.factories import HubMembershipFactory, NationalAdminFactory, TeacherFactory
from tests.invariants import broken_invariants
from tests.lead.factories import add_schools, led_group, past_session
from workgroups import services
from workgroups.models import (
    CLOSED_PLACE_STATUSES,
    Attendance,
    AttendanceStatus,
    Completion,
    Place,
    PlaceStatus,
    Registration,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db

DONE, NOT_DONE = Completion.COMPLETED, Completion.NOT_COMPLETED


def attend(sessions, registration, status=AttendanceStatus.PRESENT):
    Attendance.objects.bulk_create(
        Attendance(session=session, registration=registration, status=status)
        for session in sessions
    )


def joined(registration, days_ago):
    """Say the person registered ``days_ago`` (``created_at`` is set on creation)."""
    at = timezone.now() - datetime.timedelta(days=days_ago, hours=1)
    Registration.objects.filter(pk=registration.pk).update(created_at=at)


def outcome(registration) -> str:
    registration.refresh_from_db()
    return registration.completion


def place_status(registration) -> str:
    registration.place.refresh_from_db()
    return registration.place.status


@pytest.fixture
def group():
    """A running group whose project completes at 75%, with four held sessions (60, 45, 30
    and 15 days ago) and one cancelled; the lead is its first lead."""
    group = led_group(name="Cedar Work Group")
    group.project.completion_attendance = 75
    group.project.save(update_fields=["completion_attendance"])
    group.held = [past_session(group, days_ago=days) for days in (60, 45, 30, 15)]
    past_session(group, days_ago=10, cancelled=True)
    return group


@pytest.fixture
def lead(group):
    return group.leads.get().user


@pytest.mark.parametrize(
    ("threshold", "attended", "expected"),
    [
        (75, 3, DONE),  # exactly 75% of 4
        (75, 2, NOT_DONE),
        (70, 3, DONE),  # ceil(2.8) = 3
        (80, 3, NOT_DONE),  # ceil(3.2) = 4
        (100, 4, DONE),
        (0, 0, DONE),
    ],
)
def test_a_person_completes_at_the_threshold_of_sessions_held_rounded_up(
    group, threshold, attended, expected
):
    group.project.completion_attendance = threshold
    group.project.save(update_fields=["completion_attendance"])
    (person,) = add_schools(group, 1, people=1)
    joined(person, 90)
    attend(group.held[:attended], person)

    services.mark_completions(work_group=group)

    assert outcome(person) == expected
    assert place_status(person) == (
        PlaceStatus.COMPLETED if expected == DONE else PlaceStatus.NOT_COMPLETED
    )


def test_late_is_there_and_apologies_or_absence_are_not(group):
    late, excused = add_schools(group, 2, people=1)
    for person in (late, excused):
        joined(person, 90)
    attend(group.held[:3], late, AttendanceStatus.LATE)
    attend(group.held[:2], excused)
    attend(group.held[2:], excused, AttendanceStatus.APOLOGIES)

    services.mark_completions(work_group=group)

    assert (outcome(late), outcome(excused)) == (DONE, NOT_DONE)


def test_a_late_joiner_is_measured_against_the_sessions_after_they_registered(group):
    on_time, late, too_late, very_late = add_schools(group, 4, people=1)
    joined(on_time, 90)
    for person in (late, too_late):
        joined(person, 40)  # after sessions 1 and 2: measured against 3 and 4
    joined(very_late, 5)  # after every held session: measured against all four
    attend(group.held[2:], on_time)
    attend(group.held[2:], late)
    attend(group.held[3:], too_late)
    attend(group.held, very_late)  # marks the lead took before they registered

    services.mark_completions(work_group=group)

    assert [outcome(p) for p in (on_time, late, too_late, very_late)] == [
        NOT_DONE,  # 2 of 4
        DONE,  # 2 of 2
        NOT_DONE,  # 1 of 2
        DONE,  # 4 of 4
    ]


def test_an_earlier_session_a_late_joiner_attended_counts_for_them(group):
    (person,) = add_schools(group, 1, people=1)
    joined(person, 40)
    attend([group.held[1], group.held[3]], person)  # session 2 before joining, and 4

    services.mark_completions(work_group=group)

    counted = services.completion.with_attendance(Registration.objects.filter(pk=person.pk))
    assert counted.values_list("sessions_attended", "sessions_counted").get() == (2, 3)
    assert outcome(person) == NOT_DONE  # 2 of 3 is under 75%


def test_a_school_completes_when_any_of_its_people_does(group):
    keen, patchy = add_schools(group, 1, people=2)
    absent_a, absent_b = add_schools(group, 1, people=2)
    for person in (keen, patchy, absent_a, absent_b):
        joined(person, 90)
    attend(group.held, keen)
    attend(group.held[:1], patchy)

    completed = services.mark_completions(work_group=group)

    assert [place.pk for place in completed] == [keen.place_id]
    assert [outcome(p) for p in (keen, patchy, absent_a, absent_b)] == [DONE, *[NOT_DONE] * 3]
    assert (place_status(keen), place_status(absent_a)) == (
        PlaceStatus.COMPLETED,
        PlaceStatus.NOT_COMPLETED,
    )
    group.refresh_from_db()
    assert (group.status, group.taken_count) == (WorkGroupStatus.COMPLETED, 2)
    assert broken_invariants() == []


def test_closing_records_each_outcome_in_the_audit_trail(group, lead):
    (person,) = add_schools(group, 1, people=1)
    joined(person, 90)
    attend(group.held[:3], person)

    with audit.by(lead):
        services.mark_completions(work_group=group)

    entry = audit.history(person).first()
    assert entry.changes == {"completion": ["", DONE]}
    assert entry.actor == lead
    assert "Attended 3 of the 4 sessions" in entry.additional_data["reason"]
    assert audit.history(person.place).first().changes["status"] == [
        PlaceStatus.CONFIRMED,
        PlaceStatus.COMPLETED,
    ]


def test_closing_twice_keeps_the_leads_override(group, lead):
    (person,) = add_schools(group, 1, people=1)
    joined(person, 90)
    services.mark_completions(work_group=group)
    services.override_completion(
        registration=person, completion=DONE, reason="Joined every session by phone.", by=lead
    )
    entries = LogEntry.objects.count()

    assert services.mark_completions(work_group=group) == []

    assert (outcome(person), place_status(person)) == (DONE, PlaceStatus.COMPLETED)
    assert LogEntry.objects.count() == entries


def test_closing_waits_for_the_last_session_and_changes_nothing(group):
    (person,) = add_schools(group, 1, people=1)
    attend(group.held, person)
    past_session(group, days_ago=-3)  # still to come

    with pytest.raises(services.CompletionError, match="have not happened yet"):
        services.mark_completions(work_group=group)

    assert (outcome(person), place_status(person)) == ("", PlaceStatus.CONFIRMED)


# The lead's override ----------------------------------------------------------------------


@pytest.fixture
def closed(group):
    """The group closed: the first school's one person completed, the second school's two
    did not."""
    done, short_a, short_b = add_schools(group, 1, people=1) + add_schools(group, 1, people=2)
    for person in (done, short_a, short_b):
        joined(person, 90)
    attend(group.held, done)
    services.mark_completions(work_group=group)
    return done, short_a, short_b


def test_a_lead_overrides_a_completion_with_a_reason_and_the_school_follows(group, lead, closed):
    done, short_a, _short_b = closed

    services.override_completion(
        registration=done, completion=NOT_DONE, reason="Attended, but did no gap tasks.", by=lead
    )
    services.override_completion(
        registration=short_a, completion=DONE, reason="Long-term illness; caught up.", by=lead
    )

    done.refresh_from_db()
    assert (done.completion, done.completion_note) == (NOT_DONE, "Attended, but did no gap tasks.")
    done.place.refresh_from_db()
    assert done.place.status == PlaceStatus.NOT_COMPLETED
    assert done.place.completion_note == "Attended, but did no gap tasks."
    short_a.place.refresh_from_db()
    assert short_a.place.status == PlaceStatus.COMPLETED
    assert short_a.place.completion_note == "Long-term illness; caught up."
    entry = audit.history(short_a).first()
    assert entry.changes["completion"] == [NOT_DONE, DONE]
    assert (entry.actor, entry.additional_data["reason"]) == (lead, "Long-term illness; caught up.")
    assert audit.history(short_a.place).first().changes["status"] == [
        PlaceStatus.NOT_COMPLETED,
        PlaceStatus.COMPLETED,
    ]
    group.refresh_from_db()
    assert group.taken_count == 2
    assert broken_invariants() == []


def test_overriding_one_of_two_keeps_the_school_as_its_other_person_says(group, lead, closed):
    _done, short_a, short_b = closed
    services.override_completion(registration=short_a, completion=DONE, reason="Ill.", by=lead)

    services.override_completion(
        registration=short_b, completion=DONE, reason="Covered by a colleague.", by=lead
    )

    short_b.place.refresh_from_db()
    assert short_b.place.status == PlaceStatus.COMPLETED
    assert short_b.place.completion_note == "Ill."  # the note of the change that moved it


@pytest.mark.parametrize(
    ("completion", "reason", "field", "message"),
    [
        (DONE, "", "reason", "Say why"),
        (DONE, "   \n ", "reason", "Say why"),
        (DONE, "x" * 5001, "reason", "5000 characters or fewer"),
        (DONE, "Fine\x00", "reason", "cannot be saved"),
        ("passed", "Fine.", "completion", "Choose completed or did not complete"),
    ],
)
def test_an_override_without_a_good_reason_or_outcome_changes_nothing(
    lead, closed, completion, reason, field, message
):
    _done, short_a, _short_b = closed
    entries = LogEntry.objects.count()

    with pytest.raises(services.CompletionError) as error:
        services.override_completion(
            registration=short_a, completion=completion, reason=reason, by=lead
        )

    assert [(r.field, message in r.message) for r in error.value.details] == [(field, True)]
    short_a.refresh_from_db()
    assert (short_a.completion, short_a.completion_note) == (NOT_DONE, "")
    assert place_status(short_a) == PlaceStatus.NOT_COMPLETED
    assert LogEntry.objects.count() == entries


def test_an_override_before_the_group_is_completed_is_refused(group, lead):
    (person,) = add_schools(group, 1, people=1)

    with pytest.raises(services.CompletionError, match="close the year first"):
        services.override_completion(registration=person, completion=DONE, reason="Ill.", by=lead)

    assert (outcome(person), place_status(person)) == ("", PlaceStatus.CONFIRMED)


def test_the_hubs_staff_and_national_team_may_override_and_nobody_else(group, closed):
    _done, short_a, _short_b = closed
    for outsider in (TeacherFactory(), HubMembershipFactory().user, short_a.user):
        with pytest.raises(services.CompletionError, match="leads and its hub's staff"):
            services.override_completion(
                registration=short_a, completion=DONE, reason="Me.", by=outsider
            )
        assert outcome(short_a) == NOT_DONE

    staff = HubMembershipFactory(hub=group.hub).user
    services.override_completion(registration=short_a, completion=DONE, reason="Hub.", by=staff)
    assert outcome(short_a) == DONE
    national = NationalAdminFactory()
    services.override_completion(
        registration=short_a, completion=NOT_DONE, reason="National.", by=national
    )
    assert outcome(short_a) == NOT_DONE


# The page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "other group's lead", "other hub's staff"])
def test_anyone_but_the_groups_leads_and_hub_gets_not_found(client, group, closed, who):
    _done, short_a, _short_b = closed
    other = led_group()
    user = {
        "teacher": short_a.user,
        "other group's lead": other.leads.get().user,
        "other hub's staff": HubMembershipFactory(hub=other.hub).user,
    }[who]
    client.force_login(user)
    url = reverse("lead:completion", args=[group.pk])

    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "registration": short_a.pk,
            f"person-{short_a.pk}-completion": DONE,
            f"person-{short_a.pk}-reason": "Me.",
        },
    )

    assert response.status_code == 404
    assert outcome(short_a) == NOT_DONE


def test_a_hostile_reason_is_shown_as_text(client, lead, closed, group):
    _done, short_a, _short_b = closed
    client.force_login(lead)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    client.post(
        reverse("lead:completion", args=[group.pk]),
        {
            "registration": short_a.pk,
            f"person-{short_a.pk}-completion": DONE,
            f"person-{short_a.pk}-reason": hostile,
        },
    )
    page = client.get(reverse("lead:completion", args=[group.pk])).content.decode()

    assert outcome(short_a) == DONE
    assert hostile not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# The demo data --------------------------------------------------------------------------


def test_the_demos_closed_groups_have_each_outcome_as_attendance_says():
    call_command("seed_demo", "--scale", "small", stdout=StringIO())
    closed = Registration.objects.active().filter(work_group__status=WorkGroupStatus.COMPLETED)
    threshold = F("work_group__project__completion_attendance")
    people = services.completion.with_attendance(closed).annotate(
        enough=ExpressionWrapper(
            Q(sessions_attended__gte=Ceil(F("sessions_counted") * threshold / 100.0)),
            output_field=BooleanField(),
        )
    )

    assert closed.filter(completion=DONE).exists()
    assert closed.filter(completion=NOT_DONE).exists()
    assert not people.exclude(place__status__in=CLOSED_PLACE_STATUSES).exists()
    assert not people.filter(enough=True).exclude(completion=DONE).exists()
    assert not people.filter(enough=False).exclude(completion=NOT_DONE).exists()
    anyone_done = Exists(closed.filter(place=OuterRef("pk"), completion=DONE))
    places = Place.objects.filter(work_group__status=WorkGroupStatus.COMPLETED).exclude(
        status=PlaceStatus.WITHDRAWN
    )
    assert not places.filter(anyone_done).exclude(status=PlaceStatus.COMPLETED).exists()
    assert not places.filter(~anyone_done).exclude(status=PlaceStatus.NOT_COMPLETED).exists()
    assert (
        not Registration.objects.exclude(work_group__status=WorkGroupStatus.COMPLETED)
        .exclude(completion="")
        .exists()
    )
    assert broken_invariants() == []
