"""Hub staff sign off or return submitted evaluations in the admin, through the services."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from evaluations.models import EvaluationStatus, WorkGroupEvaluation
from tests.factories import HubMembershipFactory, WorkGroupEvaluationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:evaluations_workgroupevaluation_changelist"


@pytest.fixture
def manager_client(client, hub):
    client.force_login(HubMembershipFactory(hub=hub).user)
    return client


@pytest.fixture
def submitted(group):
    return WorkGroupEvaluationFactory(work_group=group, status=EvaluationStatus.SUBMITTED)


def run_action(client, action, evaluations, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [e.pk for e in evaluations], **extra}
    response = client.post(reverse(CHANGELIST), data)
    return response, [m.message for m in get_messages(response.wsgi_request)]


def status_of(evaluation):
    return WorkGroupEvaluation.objects.get(pk=evaluation.pk).status


def test_sign_off_action_signs_off_and_emails_the_lead(
    manager_client, submitted, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, reported = run_action(manager_client, "sign_off", [submitted])

    assert status_of(submitted) == EvaluationStatus.SIGNED_OFF
    assert reported == ["Signed off 1 evaluation(s); the leads are told."]
    assert [m.to for m in mail.outbox] == [[lead.user.email]]


def test_a_draft_is_not_signed_off_and_the_reason_is_shown(manager_client, group):
    draft = WorkGroupEvaluationFactory(work_group=group)

    _, reported = run_action(manager_client, "sign_off", [draft])

    assert status_of(draft) == EvaluationStatus.DRAFT
    assert "only a submitted evaluation can be reviewed" in reported[0]


def test_returning_asks_for_a_comment_first(manager_client, submitted):
    response, _ = run_action(manager_client, "return_to_lead", [submitted])

    assert response.status_code == 200
    assert "What should the lead change?" in response.content.decode()
    assert status_of(submitted) == EvaluationStatus.SUBMITTED


def test_returning_without_a_comment_changes_nothing(manager_client, submitted):
    response, _ = run_action(manager_client, "return_to_lead", [submitted], apply="1", comment="")

    assert "Please write a comment" in response.content.decode()
    assert status_of(submitted) == EvaluationStatus.SUBMITTED


def test_returning_with_a_comment_sends_it_to_the_lead(
    manager_client, submitted, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = run_action(
            manager_client,
            "return_to_lead",
            [submitted],
            apply="1",
            comment="Please add pupil evidence.",
        )

    assert response.status_code == 302
    returned = WorkGroupEvaluation.objects.get(pk=submitted.pk)
    assert (returned.status, returned.review_comment) == (
        EvaluationStatus.RETURNED,
        "Please add pupil evidence.",
    )
    assert "Please add pupil evidence." in mail.outbox[0].body


def test_status_cannot_be_changed_by_editing_the_form(manager_client, submitted):
    url = reverse("admin:evaluations_workgroupevaluation_change", args=[submitted.pk])
    form = manager_client.get(url).context["adminform"].form

    assert "status" not in form.fields
    assert "review_comment" not in form.fields
