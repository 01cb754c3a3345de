"""Every change to surveys and answers: answering, sending, reusing a survey, and erasure.

Pages, the admin, tasks and the privacy app call these. Each raises ``SurveyError``, whose
reasons a participant or the national team can read, and changes nothing when it does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core import audit
from core.errors import DomainError, Reason
from core.text import check_lengths
from participants.models import User
from projects.models import AcademicYear, OutcomeArea
from surveys import rules, schedule
from surveys.models import (
    SCALE_VALUES,
    Answer,
    FreeTextAnswer,
    FreeTextQuestion,
    Occasion,
    Response,
    Statement,
    Survey,
)
from workgroups.models import WorkGroup


class SurveyError(DomainError):
    """A survey rule said no; the reasons are in words a participant understands."""


# Reading what a participant answers ----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One page of the survey: an outcome area's statements, or the free-text questions."""

    number: int
    area: OutcomeArea | None
    statements: list[Statement]
    questions: list[FreeTextQuestion]

    @property
    def title(self) -> str:
        return self.area.name if self.area else "In your own words"


@dataclass
class Sheet:
    """A participant's survey for one group and occasion: what it asks and what they said."""

    survey: Survey
    work_group: WorkGroup
    occasion: str
    window: schedule.Window
    steps: list[Step]
    response: Response | None = None
    ratings: dict[int, int] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)

    @property
    def statements(self) -> list[Statement]:
        return [statement for step in self.steps for statement in step.statements]

    @property
    def questions(self) -> list[FreeTextQuestion]:
        return [question for step in self.steps for question in step.questions]

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.submitted_at is not None

    @property
    def occasion_label(self) -> str:
        return Occasion(self.occasion).label

    def unanswered(self, step: Step | None = None) -> list[Statement]:
        statements = step.statements if step else self.statements
        return [s for s in statements if s.pk not in self.ratings]

    def first_unanswered_step(self) -> Step:
        return next((step for step in self.steps if self.unanswered(step)), self.steps[-1])


def ready_survey_id() -> Subquery:
    """The id of the ready survey of the outer group's project and year (a subquery)."""
    surveys = Survey.objects.live().filter(
        project=OuterRef("project"), academic_year=OuterRef("academic_year")
    )
    return Subquery(surveys.values("pk")[:1])


def build_steps(
    statements: list[Statement], questions: list[FreeTextQuestion], occasion: str
) -> list[Step]:
    """One step per outcome area with statements (in the areas' order), then the free-text
    questions asked on this occasion, if any. Statements need their ``area``."""
    by_area: dict[int, list[Statement]] = {}
    areas: dict[int, OutcomeArea] = {}
    for statement in statements:
        by_area.setdefault(statement.area_id, []).append(statement)
        areas[statement.area_id] = statement.area
    ordered = sorted(areas.values(), key=lambda area: (area.order, area.pk))
    steps = [Step(n, area, by_area[area.pk], []) for n, area in enumerate(ordered, start=1)]
    asked = [question for question in questions if question.asked_at(occasion)]
    if asked and steps:
        steps.append(Step(len(steps) + 1, None, [], asked))
    return steps


def load_sheet(
    *, user: User, work_group_id: int, occasion: str, today: datetime.date | None = None
) -> Sheet | None:
    """The sheet, or ``None`` when the user is not a participant of the group or its project
    has no survey ready that year (pages answer "not found"). Six queries."""
    if occasion not in Occasion.values:
        return None
    today = today or timezone.localdate()
    mine = rules.participations(user).filter(work_group=OuterRef("pk"))
    group = (
        schedule.with_session_days(WorkGroup.objects.filter(Exists(mine), pk=work_group_id))
        .select_related("project", "hub", "academic_year")
        .annotate(survey_id=ready_survey_id())
        .first()
    )
    if group is None or group.survey_id is None:
        return None
    statements = list(
        Statement.objects.filter(survey_id=group.survey_id).select_related("area", "survey")
    )
    questions = list(FreeTextQuestion.objects.filter(survey_id=group.survey_id))
    steps = build_steps(statements, questions, occasion)
    if not steps:
        return None
    window = schedule.window(group, occasion, today)
    sheet = Sheet(statements[0].survey, group, occasion, window, steps)
    _read_answers(sheet, user)
    return sheet


def _read_answers(sheet: Sheet, user: User) -> None:
    response = (
        Response.objects.filter(
            survey=sheet.survey, occasion=sheet.occasion, user=user, work_group=sheet.work_group
        )
        .prefetch_related("answers", "free_text_answers")
        .first()
    )
    sheet.response = response
    if response is not None:
        sheet.ratings = {a.statement_id: a.value for a in response.answers.all()}
        sheet.texts = {a.question_id: a.text for a in response.free_text_answers.all()}


# Answering --------------------------------------------------------------------------------


def _check_open(sheet: Sheet) -> None:
    window = sheet.window
    if window.state == schedule.State.NOT_YET:
        when = f" on {window.opens_on:%-d %B %Y}" if window.opens_on else ""
        raise SurveyError(f"The {sheet.occasion} survey opens{when}; it is not open yet.")
    if window.state == schedule.State.CLOSED:
        raise SurveyError(f"The {sheet.occasion} survey has closed.")
    if sheet.submitted:
        raise SurveyError("You have already sent these answers, so they can't be changed.")


def _check_answers(sheet: Sheet, ratings: Mapping[int, int], texts: Mapping[int, str]) -> None:
    statements = {statement.pk for statement in sheet.statements}
    questions = {question.pk for question in sheet.questions}
    reasons = [
        Reason("Choose an answer from this survey.", field=f"statement_{pk}")
        for pk in ratings
        if pk not in statements
    ]
    reasons += [
        Reason(
            "Choose one of the five answers, from strongly disagree to strongly agree.",
            field=f"statement_{pk}",
        )
        for pk, value in ratings.items()
        if pk in statements and value not in SCALE_VALUES
    ]
    reasons += [
        Reason("Answer a question from this survey.", field=f"question_{pk}")
        for pk in texts
        if pk not in questions
    ]
    if reasons:
        raise SurveyError(reasons)
    check_lengths(SurveyError, **{f"question_{pk}": text for pk, text in texts.items()})


def _response_for(sheet: Sheet, user: User) -> Response:
    """The participant's response row, locked; created if this is their first answer."""
    if not rules.participations(user).filter(work_group=sheet.work_group).exists():
        raise SurveyError("Only the group's participants answer its survey.")
    key = {
        "survey": sheet.survey,
        "occasion": sheet.occasion,
        "user": user,
        "work_group": sheet.work_group,
    }
    try:
        with transaction.atomic():
            Response.objects.get_or_create(**key)
    except IntegrityError:  # a second tab created it at the same moment
        pass
    return Response.objects.select_for_update().get(**key)


@transaction.atomic
def save_answers(
    *,
    user: User,
    sheet: Sheet,
    ratings: Mapping[int, int] | None = None,
    texts: Mapping[int, str] | None = None,
) -> Response:
    """Save some answers as they are given (ratings by statement id, texts by question id).

    Refuses, changing nothing, when the survey is not open, is already sent, or an answer
    is not one this survey takes.
    """
    ratings, texts = dict(ratings or {}), dict(texts or {})
    _check_open(sheet)
    _check_answers(sheet, ratings, texts)
    response = _response_for(sheet, user)
    if response.submitted_at is not None:
        raise SurveyError("You have already sent these answers, so they can't be changed.")
    Answer.objects.bulk_create(
        [Answer(response=response, statement_id=pk, value=v) for pk, v in ratings.items()],
        update_conflicts=True,
        unique_fields=["response", "statement"],
        update_fields=["value"],
    )
    FreeTextAnswer.objects.bulk_create(
        [FreeTextAnswer(response=response, question_id=pk, text=t) for pk, t in texts.items()],
        update_conflicts=True,
        unique_fields=["response", "question"],
        update_fields=["text"],
    )
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())
    sheet.response = response
    sheet.ratings.update(ratings)
    sheet.texts.update(texts)
    return response


def missing_reasons(sheet: Sheet) -> list[Reason]:
    """One reason per step with statements still to answer, keyed by the step's area."""
    reasons = []
    for step in sheet.steps:
        missing = len(sheet.unanswered(step))
        if missing:
            statements = "statement" if missing == 1 else "statements"
            reasons.append(
                Reason(
                    f"{missing} {statements} not answered yet.",
                    field=step.area.code,
                    label=step.title,
                )
            )
    return reasons


@transaction.atomic
def submit_response(*, user: User, sheet: Sheet) -> Response:
    """Send the answers: every statement must be answered. Free text is optional."""
    _check_open(sheet)
    response = _response_for(sheet, user)
    if response.submitted_at is not None:
        raise SurveyError("You have already sent these answers, so they can't be changed.")
    answered = set(response.answers.values_list("statement_id", flat=True))
    sheet.ratings = {pk: v for pk, v in sheet.ratings.items() if pk in answered}
    reasons = missing_reasons(sheet)
    if reasons:
        raise SurveyError(reasons)
    response.submitted_at = timezone.now()
    response.save(update_fields=["submitted_at", "updated_at"])
    sheet.response = response
    return response


# The national team's definitions ----------------------------------------------------------


@transaction.atomic
def reuse_survey(*, survey: Survey, academic_year: AcademicYear, by: User | None = None) -> Survey:
    """Copy ``survey`` (its statements and questions) for the same project in another year.

    The copy is not ready for participants until the national team has checked it.
    """
    if academic_year.pk == survey.academic_year_id:
        raise SurveyError(
            Reason("Choose another year than the survey's own.", field="academic_year")
        )
    if Survey.objects.filter(project=survey.project_id, academic_year=academic_year).exists():
        raise SurveyError(
            Reason(
                f"{survey.project.title} already has a survey for {academic_year}.",
                field="academic_year",
            )
        )
    with audit.by(by, reason=f"Reused from {survey} ({survey.pk})"):
        copy = Survey.objects.create(
            project_id=survey.project_id,
            academic_year=academic_year,
            title=survey.title,
            introduction=survey.introduction,
            reused_from=survey,
        )
        for statement in survey.statements.all():
            Statement.objects.create(
                survey=copy, area_id=statement.area_id, text=statement.text, order=statement.order
            )
        for question in survey.questions.all():
            FreeTextQuestion.objects.create(
                survey=copy, occasion=question.occasion, text=question.text, order=question.order
            )
    return copy


def has_answers(survey: Survey | None) -> bool:
    """Once anyone has answered, the statements are fixed: changing them would make start and
    end answers, or one year and the next, incomparable."""
    return survey is not None and survey.pk is not None and survey.responses.exists()


# Personal data -----------------------------------------------------------------------------


def personal_answers(*, user: User) -> list[dict]:
    """Every response of ``user`` with its answers, for their own data download (3 queries)."""
    responses = (
        Response.objects.filter(user=user)
        .select_related("survey", "work_group")
        .prefetch_related("answers__statement__area", "free_text_answers__question")
        .order_by("started_at", "pk")
    )
    return [
        {
            "survey": response.survey.title,
            "group": response.work_group.name,
            "occasion": response.get_occasion_display(),
            "started_at": timezone.localtime(response.started_at).isoformat(),
            "submitted_at": (
                timezone.localtime(response.submitted_at).isoformat()
                if response.submitted_at
                else None
            ),
            "answers": [
                {"area": a.statement.area.name, "statement": a.statement.text, "answer": a.value}
                for a in sorted(response.answers.all(), key=lambda a: a.statement_id)
            ],
            "in_your_own_words": [
                {"question": a.question.text, "answer": a.text}
                for a in sorted(response.free_text_answers.all(), key=lambda a: a.question_id)
            ],
        }
        for response in responses
    ]


def anonymise_answers(*, user: User) -> int:
    """For erasure: the ratings stay (the account they hang on is anonymised, so they name
    nobody and every figure stays true); what the person wrote in their own words goes, as
    their other writing does. Unsent responses stay as they are: they count nowhere."""
    return FreeTextAnswer.objects.filter(response__user=user).exclude(text="").update(text="")


# Counts for the admin ----------------------------------------------------------------------


def with_response_counts(surveys):
    return surveys.annotate(
        started=Count("responses", distinct=True),
        sent=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True),
    )
