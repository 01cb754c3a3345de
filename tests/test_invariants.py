"""The checks in ``tests/invariants.py`` hold over data made through the services, and catch a
database that breaks them. ``test_seed_demo`` runs the same checks over the demo seed, so the
seeder's bulk path is held to the rules the services keep."""

import datetime

import pytest
from django.utils import timezone

from evaluations.models import EvaluationStatus
from tests.factories import (
    ProjectFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
    signed_off_evaluation,
)
from tests.invariants import broken_invariants
from workgroups import services
from workgroups.models import AttendanceStatus, Place, PlaceStatus, SessionFocus
from workgroups.services.delivery import roster

pytestmark = pytest.mark.django_db


def a_year_through_the_services():
    """Registrations past capacity, colleagues, withdrawals, a decline, more places, a session
    with attendance and a signed-off evaluation: every path that changes places."""
    group = WorkGroupFactory(capacity=3)
    schools = [SchoolFactory() for _ in range(6)]
    teachers = [TeacherFactory(school=school) for school in schools]
    registrations = [services.register(user=t, work_group=group) for t in teachers]
    services.register(user=TeacherFactory(school=schools[0]), work_group=group)
    services.withdraw(registration=registrations[1])
    services.decline_place(place=registrations[5].place)
    services.change_capacity(work_group=group, capacity=5)
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
        session=session,
        marks={r.pk: AttendanceStatus.PRESENT for r in roster(group)},
    )
    signed_off_evaluation(group)
    return group


def test_data_made_through_the_services_keeps_every_rule():
    group = a_year_through_the_services()

    assert Place.objects.filter(work_group=group, status=PlaceStatus.CONFIRMED).count() == 4
    assert broken_invariants() == []


def test_an_overfilled_group_written_around_the_services_is_caught():
    group = WorkGroupFactory(capacity=1, project=ProjectFactory())
    for _ in range(2):
        services.register(user=TeacherFactory(school=SchoolFactory()), work_group=group)
    Place.objects.filter(work_group=group).update(status=PlaceStatus.CONFIRMED)

    assert "a group has more schools with a place than places" in broken_invariants()


def test_a_signed_off_evaluation_written_around_the_services_is_caught():
    WorkGroupEvaluationFactory(status=EvaluationStatus.SIGNED_OFF)

    assert "a signed-off group's evidence is not locked" in broken_invariants()
