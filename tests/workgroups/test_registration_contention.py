"""Registrations racing for one group on a real PostgreSQL server.

``register`` finds every reason someone may not register before it locks the group's row, so
registrations for one group check eligibility side by side and queue only to count places and
write. Here every registration has passed its checks before any takes the lock (they meet just
before it), the moment the checks under the lock exist for: the last places, a school's role
limit and a second click. Whatever the order they get the lock in, the group ends with exactly
its capacity taken, the rest waiting in the order they asked, and its counters right.
"""

import threading

import pytest
from django.db import connection

from tests.factories import SchoolFactory, TeacherFactory, WorkGroupFactory
from tests.invariants import broken_invariants
from workgroups import services
from workgroups.models import (
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
    WorkGroupQuerySet,
    WorkGroupStatus,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def register_at_once(group, teachers, *, meet_before_the_lock=None, monkeypatch=None):
    """Each teacher registers in their own thread and connection, all starting together; with
    ``meet_before_the_lock``, each also waits, its eligibility checked, until every one has got
    to the group's lock. Returns the registrations made and the errors raised."""
    start = threading.Barrier(len(teachers))
    if meet_before_the_lock:
        locked = WorkGroupQuerySet.locked
        meet = threading.Barrier(len(teachers))

        def locked_together(self, work_group):
            meet.wait(timeout=20)
            return locked(self, work_group)

        monkeypatch.setattr(WorkGroupQuerySet, "locked", locked_together)
    made, errors = [], []

    def attempt(teacher):
        try:
            start.wait(timeout=20)
            made.append(services.register(user=teacher, work_group=WorkGroup(pk=group.pk)))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(teacher,)) for teacher in teachers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return made, errors


def test_schools_checked_together_take_exactly_the_places_and_the_rest_wait_in_order(
    require_postgres, monkeypatch
):
    group = WorkGroupFactory(capacity=4)
    teachers = [TeacherFactory(school=SchoolFactory()) for _ in range(10)]

    made, errors = register_at_once(
        group, teachers, meet_before_the_lock=True, monkeypatch=monkeypatch
    )

    assert errors == []
    assert len(made) == 10
    group = WorkGroup.objects.get(pk=group.pk)
    places = Place.objects.filter(work_group=group)
    confirmed = places.filter(status=PlaceStatus.CONFIRMED)
    waiting = places.filter(status=PlaceStatus.WAITLISTED)
    assert (confirmed.count(), waiting.count()) == (4, 6)
    assert (group.taken_count, group.waitlisted_count, group.places_left) == (4, 6, 0)
    assert group.status == WorkGroupStatus.FULL
    last_confirmed = max(place.requested_at for place in confirmed)
    assert all(place.requested_at >= last_confirmed for place in waiting)
    assert broken_invariants() == []


def test_colleagues_checked_together_fill_their_schools_role_and_the_last_is_told_why(
    require_postgres, monkeypatch
):
    group = WorkGroupFactory(capacity=3)
    school = SchoolFactory()
    teachers = [TeacherFactory(school=school) for _ in range(3)]

    made, errors = register_at_once(
        group, teachers, meet_before_the_lock=True, monkeypatch=monkeypatch
    )

    assert len(made) == 2
    assert [type(error) for error in errors] == [services.RegistrationError]
    assert errors[0].reasons == ["Your school has already filled every role this project asks for."]
    place = Place.objects.get(work_group=group)
    assert place.registration_count == 2
    assert WorkGroup.objects.get(pk=group.pk).taken_count == 1
    assert broken_invariants() == []


def test_one_person_registering_twice_at_once_is_registered_once(require_postgres, monkeypatch):
    group = WorkGroupFactory(capacity=3)
    teacher = TeacherFactory(school=SchoolFactory())

    made, errors = register_at_once(
        group, [teacher, teacher], meet_before_the_lock=True, monkeypatch=monkeypatch
    )

    assert len(made) == 1
    assert [str(error) for error in errors] == [
        "You are already registered for this group in this project this year."
    ]
    active = Registration.objects.filter(user=teacher, status=RegistrationStatus.ACTIVE)
    assert active.count() == 1
    assert Place.objects.get(work_group=group).registration_count == 1


def test_many_registrations_at_once_leave_exactly_the_capacity_taken(require_postgres):
    group = WorkGroupFactory(capacity=7)
    teachers = [TeacherFactory(school=SchoolFactory()) for _ in range(16)]

    made, errors = register_at_once(group, teachers)

    assert errors == []
    assert len(made) == 16
    group = WorkGroup.objects.get(pk=group.pk)
    statuses = sorted(Place.objects.filter(work_group=group).values_list("status", flat=True))
    assert statuses == [PlaceStatus.CONFIRMED] * 7 + [PlaceStatus.WAITLISTED] * 9
    assert (group.taken_count, group.waitlisted_count) == (7, 9)
    assert broken_invariants() == []
