"""Registrations racing for the last places, against a real PostgreSQL server."""

import threading

import pytest
from django.db import connection

from tests.factories import PlaceFactory, SchoolFactory, TeacherFactory, WorkGroupFactory
from workgroups import services
from workgroups.models import Place, PlaceStatus, WorkGroup, WorkGroupStatus


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
