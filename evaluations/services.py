"""A group's end-of-year evaluation: draft → submitted → signed off (or returned) by the hub.

The lead area and the admin call these; each raises ``EvaluationError`` with a message a lead
or hub manager can read, and changes nothing when it does.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from core import audit, scoping
from core.email import send_templated
from core.errors import DomainError, Reason
from core.text import check_lengths
from evaluations.models import (
    EvaluationStatus,
    ImpactRating,
    OutcomeEvaluation,
    WorkGroupEvaluation,
)
from participants.models import HubMembership, User
from workgroups.models import WorkGroup
from workgroups.services.delivery import last_session_to_come, lock_evidence, unlock_evidence

EDITABLE_STATUSES = [EvaluationStatus.DRAFT, EvaluationStatus.RETURNED]


class EvaluationError(DomainError):
    """An evaluation rule said no; ``reasons`` are in words a lead understands."""


def _lock(evaluation: WorkGroupEvaluation) -> WorkGroupEvaluation:
    return (
        WorkGroupEvaluation.objects.select_for_update(of=("self",))
        .select_related("work_group__project", "work_group__hub")
        .get(pk=evaluation.pk)
    )


def _check_ratings(work_group: WorkGroup, ratings: Mapping[str, tuple[int | None, str]]) -> None:
    targeted = set(work_group.project.outcome_areas.values_list("code", flat=True))
    if not set(ratings) <= targeted:
        raise EvaluationError("Rate only the outcome areas this project targets.")
    scale = set(ImpactRating.values)
    if any(rating is not None and rating not in scale for rating, _ in ratings.values()):
        raise EvaluationError("Choose a rating on the scale, from 1 to 4.")
    check_lengths(EvaluationError, **{code: evidence for code, (_, evidence) in ratings.items()})


def check_evaluated(work_group: WorkGroup) -> None:
    """Refuse an evaluation for a group whose activity type has none."""
    project = work_group.project
    if not project.rules.evaluation:
        raise EvaluationError(
            f"A {project.rules.label.lower()} {project.group_noun} has no end-of-year evaluation."
        )


@transaction.atomic
def save_evaluation(
    *,
    work_group: WorkGroup,
    by: User,
    key_findings: str = "",
    recommendations: str = "",
    ratings: Mapping[str, tuple[int | None, str]] | None = None,
) -> WorkGroupEvaluation:
    """Save the evaluation as it stands; ``ratings`` maps area code → (rating, evidence)."""
    ratings = ratings or {}
    group = (
        WorkGroup.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=work_group.pk)
    )
    check_evaluated(group)
    evaluation, _ = WorkGroupEvaluation.objects.get_or_create(work_group=work_group)
    evaluation = _lock(evaluation)
    if evaluation.status not in EDITABLE_STATUSES:
        status = evaluation.get_status_display().lower()
        raise EvaluationError(f"This evaluation is {status}, so it cannot be changed.")
    check_lengths(EvaluationError, key_findings=key_findings, recommendations=recommendations)
    _check_ratings(evaluation.work_group, ratings)
    evaluation.key_findings, evaluation.recommendations = key_findings, recommendations
    evaluation.author = by
    evaluation.save()
    _save_ratings(evaluation, ratings)
    return evaluation


def _save_ratings(evaluation, ratings: Mapping[str, tuple[int | None, str]]) -> None:
    """Upsert the ratings in one query; the trail gets one entry on the evaluation naming each
    area whose rating or evidence changed."""
    areas = dict(evaluation.work_group.project.outcome_areas.values_list("code", "pk"))
    before = {
        outcome.area.code: (outcome.rating, outcome.evidence)
        for outcome in evaluation.outcomes.select_related("area")
    }
    changes = {
        f"{field} ({code})": (old, new)
        for code, now in ratings.items()
        for field, old, new in zip(
            ("rating", "evidence"), before.get(code, (None, "")), now, strict=True
        )
    }
    audit.record(evaluation, changes=changes)
    OutcomeEvaluation.objects.bulk_create(
        [
            OutcomeEvaluation(
                evaluation=evaluation, area_id=areas[code], rating=rating, evidence=evidence
            )
            for code, (rating, evidence) in ratings.items()
        ],
        update_conflicts=True,
        unique_fields=["evaluation", "area"],
        update_fields=["rating", "evidence"],
    )


def missing_for_submission(evaluation: WorkGroupEvaluation) -> dict[str, Reason]:
    """What still has to be written before submitting, keyed by area code (or "key_findings")."""
    done = set(
        evaluation.outcomes.filter(rating__isnull=False)
        .exclude(evidence="")
        .values_list("area_id", flat=True)
    )
    areas = evaluation.work_group.project.outcome_areas.all()
    missing = {
        area.code: Reason("Choose a rating and give evidence.", field=area.code, label=area.name)
        for area in areas
        if area.pk not in done
    }
    if not evaluation.key_findings.strip():
        missing["key_findings"] = Reason(
            "Say what the group found.", field="key_findings", label="Key findings"
        )
    return missing


@transaction.atomic
def submit_evaluation(evaluation: WorkGroupEvaluation, *, by: User) -> WorkGroupEvaluation:
    """Send the evaluation to the hub for sign-off once every targeted area is rated."""
    evaluation = _lock(evaluation)
    check_evaluated(evaluation.work_group)
    if evaluation.status not in EDITABLE_STATUSES:
        raise EvaluationError(
            f"This evaluation is {evaluation.get_status_display().lower()} already."
        )
    still_to_come = last_session_to_come(evaluation.work_group)
    if still_to_come is not None:
        raise EvaluationError(
            "The evaluation looks back on the whole year: send it once the last session has "
            f"taken place (session {still_to_come.number}, "
            f"{timezone.localtime(still_to_come.starts_at):%-d %B %Y}). Your draft is saved."
        )
    missing = missing_for_submission(evaluation)
    if missing:
        raise EvaluationError(list(missing.values()))
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = timezone.now()
    evaluation.author = by
    evaluation.save(update_fields=["status", "submitted_at", "author", "updated_at"])
    _send(evaluation, "evaluation_submitted", _hub_staff_emails(evaluation))
    return evaluation


def _check_reviewer(evaluation: WorkGroupEvaluation, by: User) -> None:
    if not scoping.can_manage_hub(by, evaluation.work_group.hub_id):
        raise EvaluationError("Only the hub's staff can review this evaluation.")
    if evaluation.status != EvaluationStatus.SUBMITTED:
        raise EvaluationError(
            f"{evaluation.work_group}: only a submitted evaluation can be reviewed; "
            f"this one is {evaluation.get_status_display().lower()}."
        )


@transaction.atomic
def sign_off_evaluation(evaluation: WorkGroupEvaluation, *, by: User) -> WorkGroupEvaluation:
    """The hub accepts the evaluation; it and the group's session records are then final."""
    evaluation = _lock(evaluation)
    _check_reviewer(evaluation, by)
    evaluation.status = EvaluationStatus.SIGNED_OFF
    evaluation.signed_off_at = timezone.now()
    evaluation.signed_off_by = by
    evaluation.save(update_fields=["status", "signed_off_at", "signed_off_by", "updated_at"])
    lock_evidence(work_group=evaluation.work_group)
    _tell_leads(evaluation, "evaluation_signed_off")
    return evaluation


@transaction.atomic
def return_evaluation(
    evaluation: WorkGroupEvaluation, *, by: User, comment: str
) -> WorkGroupEvaluation:
    """The hub sends the evaluation back to the lead, saying what to change."""
    comment = comment.strip()
    if not comment:
        raise EvaluationError("Say what the lead should change before returning it.")
    check_lengths(EvaluationError, comment=comment)
    evaluation = _lock(evaluation)
    _check_reviewer(evaluation, by)
    evaluation.status = EvaluationStatus.RETURNED
    evaluation.review_comment = comment
    evaluation.save(update_fields=["status", "review_comment", "updated_at"])
    _tell_leads(evaluation, "evaluation_returned")
    return evaluation


@transaction.atomic
def reopen_evaluation(
    evaluation: WorkGroupEvaluation, *, by: User, reason: str
) -> WorkGroupEvaluation:
    """The national team reopens a signed-off evaluation, saying why: it goes back to the lead
    as returned with that reason, and the group's session records may change again."""
    reason = reason.strip()
    if not scoping.is_national(by):
        raise EvaluationError("Only the national team can reopen a signed-off evaluation.")
    if not reason:
        raise EvaluationError(Reason("Say why it is reopened: the lead is told.", field="reason"))
    check_lengths(EvaluationError, reason=reason)
    evaluation = _lock(evaluation)
    if evaluation.status != EvaluationStatus.SIGNED_OFF:
        raise EvaluationError("Only a signed-off evaluation can be reopened.")
    evaluation.status = EvaluationStatus.RETURNED
    evaluation.review_comment = reason
    evaluation.save(update_fields=["status", "review_comment", "updated_at"])
    unlock_evidence(work_group=evaluation.work_group)
    _tell_leads(evaluation, "evaluation_returned")
    return evaluation


def _lead_emails(evaluation: WorkGroupEvaluation) -> list[str]:
    emails = set(
        evaluation.work_group.leads.filter(active=True).values_list("user__email", flat=True)
    )
    if evaluation.author_id:
        emails.add(User.objects.values_list("email", flat=True).get(pk=evaluation.author_id))
    return sorted(emails)


def _hub_staff_emails(evaluation: WorkGroupEvaluation) -> list[str]:
    staff = HubMembership.objects.filter(hub_id=evaluation.work_group.hub_id, user__is_active=True)
    return sorted(set(staff.values_list("user__email", flat=True)))


def _tell_leads(evaluation: WorkGroupEvaluation, template: str) -> None:
    _send(evaluation, template, _lead_emails(evaluation))


def _send(evaluation: WorkGroupEvaluation, template: str, emails: list[str]) -> None:
    """One email per person, so nobody sees the others' addresses."""
    send_templated(template, emails, {"evaluation": evaluation, "group": evaluation.work_group})
