"""Requests racing each other, against a real PostgreSQL server: registrations for the last
places, two leaders naming one colleague, and a session added twice at once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import (
    PlaceFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
    school_leader,
)
from tests.support import at_once
from workgroups import services
from workgroups.models import Nomination, Place, PlaceStatus, Session, WorkGroup, WorkGroupStatus


def _race(work_group, teachers):
    barrier = threading.Barrier(len(teachers))
    errors = []

    def attempt(teacher):
        try:
            barrier.wait(timeout=10)
            services.register(user=teacher, work_group=work_group)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in teachers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_fill_exactly_the_free_places_and_waitlist_the_rest(
    require_postgres,
):
    group = WorkGroupFactory(capacity=5)
    for _ in range(2):
        PlaceFactory(work_group=group, status=PlaceStatus.CONFIRMED)
    teachers = [TeacherFactory(school=SchoolFactory()) for _ in range(8)]

    errors = _race(group, teachers)

    assert errors == []
    places = Place.objects.filter(work_group=group)
    assert places.filter(status=PlaceStatus.CONFIRMED).count() == group.capacity
    assert places.filter(status=PlaceStatus.WAITLISTED).count() == 5
    assert WorkGroup.objects.get(pk=group.pk).status == WorkGroupStatus.FULL


@pytest.mark.django_db(transaction=True)
def test_colleagues_registering_at_once_share_one_place_for_their_school(require_postgres):
    group = WorkGroupFactory(capacity=3)
    school = SchoolFactory()
    teachers = [TeacherFactory(school=school) for _ in range(4)]

    errors = _race(group, teachers)

    place = Place.objects.get(work_group=group)
    assert place.registrations.active().count() == 2
    assert len(errors) == 2
    assert all(isinstance(error, services.RegistrationError) for error in errors)


@pytest.mark.django_db(transaction=True)
def test_two_leaders_naming_the_same_colleague_at_once_invite_them_once(
    require_postgres, monkeypatch
):
    group = WorkGroupFactory(capacity=3)
    school = SchoolFactory()
    leaders = [school_leader(school=school) for _ in range(2)]
    services.register(user=leaders[0], work_group=group)
    role = group.project.roles.get()

    def name_colleague(leader):
        return lambda: services.nominate(
            leader=leader, work_group=group, email="Colleague@example.org", role=role
        )

    results, errors = at_once(
        [name_colleague(leader) for leader in leaders],
        meeting_at=Nomination.objects,
        monkeypatch=monkeypatch,
    )

    assert len(results) == 1
    assert [type(error) for error in errors] == [services.RegistrationError]
    assert str(errors[0]) == "colleague@example.org has already been invited to this place."
    assert Nomination.objects.filter(email="colleague@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_adding_the_same_session_twice_at_once_adds_one(require_postgres):
    group = WorkGroupFactory()
    start = timezone.now() + datetime.timedelta(days=7)

    def add():
        return services.schedule_session(
            work_group=group,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            mode="online",
            joining_link="https://meet.example.org/abc",
        )

    results, errors = at_once([add, add])

    assert errors == []
    assert Session.objects.filter(work_group=group).count() == 1
    assert results[0] == results[1]
