"""Migrations that change data: what they keep, what they change."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import RegistrationFactory, WorkGroupFactory
from workgroups.models import Attendance, Session

BEFORE_ONE_SESSION_PER_START = [("workgroups", "0005_nominations_are_invitations")]
ONE_SESSION_PER_START = [("workgroups", "0006_one_session_per_start")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_sessions_added_twice_before_the_constraint_keep_the_one_with_evidence():
    group = WorkGroupFactory()
    person = RegistrationFactory(place__work_group=group)
    start = timezone.now() - datetime.timedelta(days=3)
    end = start + datetime.timedelta(hours=2)
    migrate(BEFORE_ONE_SESSION_PER_START)
    try:
        first, second, third = (
            Session.objects.create(work_group=group, number=n, starts_at=start, ends_at=end)
            for n in (1, 2, 3)
        )
        Attendance.objects.create(session=second, registration=person)
        other_time = Session.objects.create(
            work_group=group, number=4, starts_at=end, ends_at=end + datetime.timedelta(hours=1)
        )

        migrate(ONE_SESSION_PER_START)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    live = Session.objects.filter(work_group=group, cancelled=False).order_by("number")
    assert list(live) == [second, other_time]
    assert set(Session.objects.filter(cancelled=True)) == {first, third}
