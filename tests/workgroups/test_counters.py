"""Each group's places taken and waiting, and each place's participants, are kept as counters
(``WorkGroup.taken_count``, ``waitlisted_count``, ``Place.registration_count``) so lists show
them without counting. Whatever changes places or registrations leaves them equal to the rows."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from privacy.services import erase_user
from tests.factories import (
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
)
from tests.invariants import broken_invariants
from workgroups import services
from workgroups.models import (
    AttendanceStatus,
    Place,
    PlaceStatus,
    SessionFocus,
    WorkGroup,
    WorkGroupStatus,
)
from workgroups.services.delivery import roster

pytestmark = pytest.mark.django_db


def counters(group) -> tuple[int, int]:
    group = WorkGroup.objects.get(pk=group.pk)
    return group.taken_count, group.waitlisted_count


def participants(place) -> int:
    return Place.objects.get(pk=place.pk).registration_count


def teacher(**school):
    return TeacherFactory(school=SchoolFactory(**school))


def test_registering_counts_the_place_taken_and_then_the_waiting_list():
    group = WorkGroupFactory(capacity=2)

    first = services.register(user=teacher(), work_group=group)
    services.register(user=teacher(), work_group=group)
    services.register(user=teacher(), work_group=group)

    assert counters(group) == (2, 1)
    assert participants(first.place) == 1
    assert WorkGroup.objects.get(pk=group.pk).places_left == 0


def test_a_colleague_joining_counts_a_participant_not_a_place():
    group = WorkGroupFactory(capacity=3)
    first = services.register(user=teacher(), work_group=group)

    services.register(user=TeacherFactory(school=first.place.school), work_group=group)

    assert counters(group) == (1, 0)
    assert participants(first.place) == 2


def test_withdrawing_the_last_participant_frees_the_place_and_promotes_the_waiting_school():
    group = WorkGroupFactory(capacity=1)
    leaving = services.register(user=teacher(), work_group=group)
    waiting = services.register(user=teacher(), work_group=group)

    services.withdraw(registration=leaving)

    assert counters(group) == (1, 0)
    assert participants(leaving.place) == 0
    assert participants(waiting.place) == 1


def test_declining_a_place_withdraws_its_people_from_the_count():
    group = WorkGroupFactory(capacity=1)
    services.register(user=teacher(), work_group=group)
    waiting = services.register(user=teacher(), work_group=group)
    services.register(user=TeacherFactory(school=waiting.place.school), work_group=group)

    services.decline_place(place=waiting.place)

    assert counters(group) == (1, 0)
    assert participants(waiting.place) == 0


def test_confirming_and_more_places_move_schools_from_waiting_to_taken():
    group = WorkGroupFactory(capacity=1, project=ProjectFactory(requires_approval=True))
    pending = services.register(user=teacher(), work_group=group)
    services.confirm_place(place=pending.place)
    services.register(user=teacher(), work_group=group)
    services.register(user=teacher(), work_group=group)
    assert counters(group) == (1, 2)

    services.change_capacity(work_group=group, capacity=3)

    assert counters(group) == (3, 0)


def test_cancelling_a_group_releases_every_place_from_the_counts():
    group = WorkGroupFactory(capacity=1)
    taken = services.register(user=teacher(), work_group=group)
    services.register(user=teacher(), work_group=group)

    services.change_status(work_group=group, status=WorkGroupStatus.CANCELLED, reason="No venue.")

    assert counters(group) == (0, 0)
    assert participants(taken.place) == 0


def test_completing_a_group_keeps_its_completed_places_taken():
    group = WorkGroupFactory(capacity=2)
    registrations = [services.register(user=teacher(), work_group=group) for _ in range(2)]
    services.change_status(work_group=group, status=WorkGroupStatus.RUNNING)
    now = timezone.now()
    session = services.schedule_session(
        work_group=group,
        starts_at=now - datetime.timedelta(days=1, hours=2),
        ends_at=now - datetime.timedelta(days=1),
        mode="online",
        focus=SessionFocus.PLAN,
        joining_link="https://meet.example.org/abc",
        confirmed=True,  # in the past, on purpose
    )
    services.record_attendance(
        session=session, marks={r.pk: AttendanceStatus.PRESENT for r in roster(group)}
    )

    services.change_status(work_group=group, status=WorkGroupStatus.COMPLETED)

    assert Place.objects.get(pk=registrations[0].place_id).status == PlaceStatus.COMPLETED
    assert counters(group) == (2, 0)
    assert broken_invariants() == []


def test_erasing_an_account_withdraws_it_from_the_counts():
    group = WorkGroupFactory(capacity=1)
    leaving = services.register(user=teacher(), work_group=group)
    waiting = services.register(user=teacher(), work_group=group)

    erase_user(user=leaving.user)

    assert counters(group) == (1, 0)
    assert participants(leaving.place) == 0
    assert participants(waiting.place) == 1


def test_deleting_an_account_recounts_the_place_it_was_in():
    place = PlaceFactory(work_group=WorkGroupFactory(capacity=3))
    RegistrationFactory(place=place)
    gone = RegistrationFactory(place=place)

    gone.user.delete()

    assert participants(place) == 1


def test_rows_saved_outside_the_services_are_counted_too():
    """The admin, the shell and the test factories save rows one at a time: saving counts."""
    group = WorkGroupFactory(capacity=5)
    place = PlaceFactory(work_group=group)
    RegistrationFactory(place=place)
    PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)
    PlaceFactory(work_group=group, status=PlaceStatus.WITHDRAWN)

    assert counters(group) == (1, 1)
    assert participants(place) == 1


def test_saving_a_group_read_before_a_registration_keeps_the_new_count():
    group = WorkGroupFactory(capacity=3)
    read_earlier = WorkGroup.objects.get(pk=group.pk)
    services.register(user=teacher(), work_group=group)

    read_earlier.name = "Renamed in the admin"
    read_earlier.save()

    assert counters(group) == (1, 0)
    assert WorkGroup.objects.get(pk=group.pk).name == "Renamed in the admin"


def test_counts_written_around_the_services_are_caught():
    group = WorkGroupFactory(capacity=3)
    place = services.register(user=teacher(), work_group=group).place

    WorkGroup.objects.filter(pk=group.pk).update(taken_count=3)
    Place.objects.filter(pk=place.pk).update(registration_count=0)

    broken = broken_invariants()
    assert "a group's places taken or waiting list disagrees with its places" in broken
    assert "a place's number of participants disagrees with its registrations" in broken


def test_the_queryset_recount_repairs_counts_written_in_bulk():
    """What the seeder does after writing places and registrations with ``bulk_create``."""
    group = WorkGroupFactory(capacity=3)
    place = services.register(user=teacher(), work_group=group).place
    WorkGroup.objects.filter(pk=group.pk).update(taken_count=0, waitlisted_count=7)
    Place.objects.filter(pk=place.pk).update(registration_count=9)

    Place.objects.filter(work_group=group).recount_registrations()
    WorkGroup.objects.filter(pk=group.pk).recount_places()

    assert counters(group) == (1, 0)
    assert participants(place) == 1
    assert broken_invariants() == []


BEFORE_COUNTERS = [("workgroups", "0006_one_session_per_start")]
COUNTERS = [("workgroups", "0007_place_counters_and_list_indexes")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_places_and_people_already_there():
    group = WorkGroupFactory(capacity=2)
    taken = PlaceFactory(work_group=group)
    RegistrationFactory.create_batch(2, place=taken)
    PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)
    migrate(BEFORE_COUNTERS)
    try:
        migrate(COUNTERS)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert counters(group) == (1, 1)
    assert participants(taken) == 2
