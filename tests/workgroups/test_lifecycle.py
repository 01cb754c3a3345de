"""A group's life goes only where its transition table allows, and each step does what it means."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import SchoolFactory, TeacherFactory, WorkGroupFactory
from workgroups import services
from workgroups.models import (
    GROUP_TRANSITIONS,
    Completion,
    PlaceStatus,
    RegistrationStatus,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db


def registered(group, schools=3):
    return [
        services.register(user=TeacherFactory(school=SchoolFactory()), work_group=group)
        for _ in range(schools)
    ]


def test_every_status_offers_only_what_its_table_allows():
    for status, allowed in GROUP_TRANSITIONS.items():
        group = WorkGroupFactory(status=status)
        assert set(services.next_statuses(group)) <= allowed
        assert WorkGroupStatus.FULL not in services.next_statuses(group)


@pytest.mark.parametrize(
    ("start", "goal"),
    [
        (WorkGroupStatus.COMPLETED, WorkGroupStatus.RUNNING),
        (WorkGroupStatus.CANCELLED, WorkGroupStatus.RECRUITING),
        (WorkGroupStatus.DRAFT, WorkGroupStatus.COMPLETED),
        (WorkGroupStatus.RUNNING, WorkGroupStatus.RECRUITING),
    ],
)
def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(start, goal):
    group = WorkGroupFactory(status=start)

    with pytest.raises(services.LifecycleError) as refused:
        services.change_status(work_group=group, status=goal)

    assert refused.value.details[0].field == "status"
    group.refresh_from_db()
    assert group.status == start


def test_opening_a_draft_lets_schools_register():
    group = WorkGroupFactory(status=WorkGroupStatus.DRAFT)

    services.change_status(work_group=group, status=WorkGroupStatus.RECRUITING)

    group.refresh_from_db()
    assert group.status == WorkGroupStatus.RECRUITING
    registered(group, schools=1)


def test_cancelling_needs_a_reason():
    group = WorkGroupFactory()
    registrations = registered(group)

    with pytest.raises(services.LifecycleError) as refused:
        services.change_status(work_group=group, status=WorkGroupStatus.CANCELLED, reason=" ")

    assert refused.value.details[0].field == "reason"
    assert all(r.place.status == PlaceStatus.CONFIRMED for r in registrations)


def test_cancelling_releases_every_place_and_tells_everyone_why(
    django_capture_on_commit_callbacks,
):
    group = WorkGroupFactory(capacity=2)
    registrations = registered(group, schools=3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            work_group=group, status=WorkGroupStatus.CANCELLED, reason="The lead is unwell."
        )

    group.refresh_from_db()
    assert group.status == WorkGroupStatus.CANCELLED
    assert group.cancellation_reason == "The lead is unwell."
    statuses = sorted(group.places.values_list("status", flat=True))
    assert statuses == [PlaceStatus.DECLINED, PlaceStatus.WITHDRAWN, PlaceStatus.WITHDRAWN]
    assert not group.registrations.filter(status=RegistrationStatus.ACTIVE).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in registrations)
    assert all("The lead is unwell." in m.body for m in mail.outbox)


def test_completing_marks_who_attended_completed_and_who_did_not():
    group = WorkGroupFactory()
    registration, absent = registered(group, schools=2)
    services.change_status(work_group=group, status=WorkGroupStatus.RUNNING)
    now = timezone.now()
    session = services.schedule_session(
        work_group=group,
        starts_at=now - datetime.timedelta(days=1, hours=2),
        ends_at=now - datetime.timedelta(days=1),
        mode="online",
        joining_link="https://meet.example.org/x",
        confirmed=True,  # in the past, on purpose
    )
    services.record_attendance(
        session=session, marks={registration.pk: "present", absent.pk: "absent"}
    )

    services.change_status(work_group=group, status=WorkGroupStatus.COMPLETED)

    registration.refresh_from_db()
    absent.refresh_from_db()
    assert (registration.completion, registration.place.status) == (
        Completion.COMPLETED,
        PlaceStatus.COMPLETED,
    )
    assert (absent.completion, absent.place.status) == (
        Completion.NOT_COMPLETED,
        PlaceStatus.NOT_COMPLETED,
    )
    group.refresh_from_db()
    assert (group.status, group.taken_count) == (WorkGroupStatus.COMPLETED, 2)
