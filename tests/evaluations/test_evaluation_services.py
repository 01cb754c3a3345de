"""The evaluation's journey: drafted and submitted by the lead, then signed off or returned."""

import pytest
from django.core import mail

from evaluations import services
from evaluations.models import EvaluationStatus, OutcomeEvaluation, WorkGroupEvaluation
from projects.models import OutcomeArea
from tests.factories import HubFactory, HubMembershipFactory, LLMEFactory, SessionFactory
from tests.lead.factories import led_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return LLMEFactory()


@pytest.fixture
def group(lead):
    return led_group(hub=lead.hub, lead=lead)


@pytest.fixture
def manager(group):
    return HubMembershipFactory(hub=group.hub).user


def every_area(rating=3, evidence="Lesson observations."):
    return dict.fromkeys(OutcomeArea.objects.values_list("code", flat=True), (rating, evidence))


def complete_draft(group, lead):
    return services.save_evaluation(
        work_group=group, by=lead.user, key_findings="Fluency improved.", ratings=every_area()
    )


def test_a_draft_saves_ratings_and_evidence_per_area(group, lead):
    evaluation = services.save_evaluation(
        work_group=group, by=lead.user, ratings={"practice": (2, "Two teachers changed.")}
    )
    services.save_evaluation(
        work_group=group, by=lead.user, ratings={"practice": (3, "Most teachers changed.")}
    )

    [outcome] = OutcomeEvaluation.objects.filter(evaluation=evaluation)
    assert (outcome.area.code, outcome.rating, outcome.evidence) == (
        "practice",
        3,
        "Most teachers changed.",
    )
    assert evaluation.status == EvaluationStatus.DRAFT


def test_a_rating_off_the_scale_is_refused_and_nothing_is_saved(group, lead):
    with pytest.raises(services.EvaluationError, match="on the scale"):
        services.save_evaluation(
            work_group=group, by=lead.user, key_findings="New", ratings={"practice": (5, "x")}
        )

    assert not OutcomeEvaluation.objects.exists()
    assert not WorkGroupEvaluation.objects.filter(key_findings="New").exists()


def test_an_area_the_project_does_not_target_is_refused(group, lead):
    group.project.outcome_areas.remove(OutcomeArea.objects.get(code="practice"))

    with pytest.raises(services.EvaluationError, match="targets"):
        services.save_evaluation(work_group=group, by=lead.user, ratings={"practice": (2, "x")})


def test_submitting_needs_every_targeted_area_rated_with_evidence(group, lead):
    ratings = every_area()
    ratings["pupil_learning"] = (3, "")
    evaluation = services.save_evaluation(
        work_group=group, by=lead.user, key_findings="Found things.", ratings=ratings
    )

    with pytest.raises(services.EvaluationError) as refused:
        services.submit_evaluation(evaluation, by=lead.user)

    assert any("Pupils' learning" in reason for reason in refused.value.reasons)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT


def test_a_complete_evaluation_is_submitted_and_then_read_only(group, lead):
    evaluation = services.submit_evaluation(complete_draft(group, lead), by=lead.user)

    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.submitted_at is not None
    with pytest.raises(services.EvaluationError, match="cannot be changed"):
        services.save_evaluation(work_group=group, by=lead.user, key_findings="Changed")


def test_submitting_tells_the_groups_hub_staff_and_no_other_hub(
    group, lead, manager, django_capture_on_commit_callbacks
):
    HubMembershipFactory(hub=HubFactory())
    draft = complete_draft(group, lead)

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_evaluation(draft, by=lead.user)

    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "ready for sign-off" in mail.outbox[0].subject


def test_hub_staff_sign_off_and_the_lead_is_emailed(
    group, lead, manager, django_capture_on_commit_callbacks
):
    evaluation = services.submit_evaluation(complete_draft(group, lead), by=lead.user)

    with django_capture_on_commit_callbacks(execute=True):
        services.sign_off_evaluation(evaluation, by=manager)

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SIGNED_OFF
    assert evaluation.signed_off_by == manager
    [message] = mail.outbox
    assert message.to == [lead.user.email]
    assert "signed off" in message.subject


def test_returning_needs_a_comment_which_the_lead_receives(
    group, lead, manager, django_capture_on_commit_callbacks
):
    evaluation = services.submit_evaluation(complete_draft(group, lead), by=lead.user)

    with pytest.raises(services.EvaluationError, match="Say what"):
        services.return_evaluation(evaluation, by=manager, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_evaluation(evaluation, by=manager, comment="Add evidence for pupils.")

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.RETURNED
    assert "Add evidence for pupils." in mail.outbox[0].body
    resubmitted = services.submit_evaluation(complete_draft(group, lead), by=lead.user)
    assert resubmitted.status == EvaluationStatus.SUBMITTED


def test_another_hubs_staff_cannot_review(group, lead):
    evaluation = services.submit_evaluation(complete_draft(group, lead), by=lead.user)
    outsider = HubMembershipFactory(hub=HubFactory()).user

    with pytest.raises(services.EvaluationError, match="hub's staff"):
        services.sign_off_evaluation(evaluation, by=outsider)

    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED


def test_a_draft_cannot_be_signed_off(group, lead, manager):
    with pytest.raises(services.EvaluationError, match="only a submitted evaluation"):
        services.sign_off_evaluation(complete_draft(group, lead), by=manager)


def test_the_evaluation_is_sent_only_once_the_last_session_has_taken_place(group, lead):
    draft = complete_draft(group, lead)
    coming = SessionFactory(work_group=group)  # a fortnight away

    with pytest.raises(services.EvaluationError, match="once the last session has taken place"):
        services.submit_evaluation(draft, by=lead.user)

    draft.refresh_from_db()
    assert draft.status == EvaluationStatus.DRAFT
    coming.cancelled = True
    coming.save(update_fields=["cancelled"])
    assert services.submit_evaluation(draft, by=lead.user).status == EvaluationStatus.SUBMITTED
