"""Changes hub staff make the right way in the admin leave an audit entry naming them, the
object, what changed and why."""

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from core import audit
from evaluations.models import EvaluationStatus
from tests.factories import (
    HubMembershipFactory,
    NationalAdminFactory,
    PlaceFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
)
from workgroups.models import PlaceStatus, WorkGroupStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    membership = HubMembershipFactory()
    client.force_login(membership.user)
    client.hub, client.user = membership.hub, membership.user
    return client


def entry(obj, field):
    """The newest entry of ``obj`` that changed ``field``."""
    for log in audit.history(obj).filter(action=LogEntry.Action.UPDATE):
        if field in (log.changes_dict or {}):
            return log
    raise AssertionError(f"no entry changed {field} of {obj}")


def test_raising_places_records_the_manager_and_the_numbers(manager_client):
    group = WorkGroupFactory(hub=manager_client.hub, capacity=3)

    manager_client.post(reverse("admin:workgroup_capacity", args=[group.pk]), {"capacity": 5})

    log = entry(group, "capacity")
    assert log.actor == manager_client.user
    assert log.changes_dict["capacity"] == ["3", "5"]


def test_cancelling_records_the_reason(manager_client):
    group = WorkGroupFactory(hub=manager_client.hub)

    manager_client.post(
        reverse("admin:workgroup_status", args=[group.pk]),
        {"status": WorkGroupStatus.CANCELLED, "reason": "Too few schools signed up."},
    )

    log = entry(group, "status")
    assert log.actor == manager_client.user
    assert log.changes_dict["status"] == ["recruiting", "cancelled"]
    assert log.additional_data["reason"] == "Too few schools signed up."


def test_confirming_a_place_with_the_action_records_who_did_it(manager_client):
    group = WorkGroupFactory(hub=manager_client.hub, capacity=2)
    place = PlaceFactory(work_group=group, status=PlaceStatus.PENDING)

    manager_client.post(
        reverse("admin:workgroups_place_changelist"),
        {"action": "confirm_places", ACTION_CHECKBOX_NAME: [place.pk]},
    )

    log = entry(place, "status")
    assert log.actor == manager_client.user
    assert log.changes_dict["status"] == ["pending", "confirmed"]


def test_signing_off_and_reopening_record_each_person_and_the_reason(manager_client, client):
    evaluation = WorkGroupEvaluationFactory(
        work_group=WorkGroupFactory(hub=manager_client.hub), status=EvaluationStatus.SUBMITTED
    )
    manager_client.post(
        reverse("admin:evaluation_sign_off", args=[evaluation.pk]), {"confirm": "on"}
    )
    signed = entry(evaluation, "status")
    assert (signed.actor, signed.changes_dict["status"]) == (
        manager_client.user,
        ["submitted", "signed_off"],
    )

    national = NationalAdminFactory()
    client.force_login(national)
    client.post(
        reverse("admin:evaluation_reopen", args=[evaluation.pk]),
        {"reason": "The ratings contradict the attendance."},
    )

    reopened = entry(evaluation, "status")
    assert reopened.actor == national
    assert reopened.changes_dict["status"] == ["signed_off", "returned"]
    assert reopened.additional_data["reason"] == "The ratings contradict the attendance."
    evaluation.work_group.refresh_from_db()
    assert evaluation.work_group.evidence_locked_at is None
