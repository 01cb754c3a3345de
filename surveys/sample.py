"""Sample surveys and answers for demo data: the demo seeder calls ``seed_surveys``.

It writes in bulk, like the rest of the seed, after the groups and participants exist: a
ready survey for every project and year with a group under way, and answers from most
participants of groups whose survey has opened, with a modest, varied change from start to
end. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Collection

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from projects.models import OutcomeArea
from surveys import rules, schedule
from surveys.models import (
    Answer,
    FreeTextAnswer,
    FreeTextQuestion,
    Occasion,
    QuestionOccasion,
    Response,
    Statement,
    Survey,
)
from workgroups.models import UNDER_WAY_GROUP_STATUSES, WorkGroup

STATEMENTS = {
    "teacher_learning": [
        "I understand the mathematics behind the topics I teach in depth.",
        "I know the common misconceptions pupils have in the topics I teach.",
    ],
    "practice": [
        "I plan lessons around small, connected steps in learning.",
        "I use representations and structures to expose the mathematics.",
    ],
    "pupil_learning": [
        "My pupils can explain their mathematical reasoning.",
        "My pupils are confident when they meet unfamiliar problems.",
    ],
    "school_approaches": [
        "Colleagues in my school plan or review mathematics lessons together.",
        "Our school's approach to teaching mathematics is shared and consistent.",
    ],
}
QUESTIONS = [
    (QuestionOccasion.START, "What would you most like to change in your teaching this year?"),
    (QuestionOccasion.END, "What has changed most in your classroom because of this group?"),
]
ANSWERS = [
    "Pupils talk more about why, not only how.",
    "We plan in small steps as a department now.",
    "More confidence with bar models.",
    "",
]
START_RATE = 0.85
END_RATE = 0.75


def _value(rng: random.Random, level: float) -> int:
    return min(5, max(1, round(level + rng.gauss(0, 0.6))))


@transaction.atomic
def seed_surveys(
    *,
    seed: str = "maths-hubs-demo",
    today: datetime.date | None = None,
    leave_unanswered: Collection[str] = (),
) -> dict[str, int]:
    """Surveys and answers for the groups already seeded; people whose email is in
    ``leave_unanswered`` get no answers (so the demo shows them a survey to answer)."""
    rng = random.Random(seed)  # noqa: S311  (demo data, not secrets)
    today = today or timezone.localdate()
    groups = list(
        schedule.with_session_days(
            WorkGroup.objects.filter(
                Q(status__in=UNDER_WAY_GROUP_STATUSES) | Q(sessions__starts_at__date__lte=today)
            ).distinct()
        ).order_by("pk")
    )
    answered = set(Response.objects.values_list("work_group_id", flat=True).distinct())
    groups = [group for group in groups if group.pk not in answered]  # safe to run again
    surveys = _surveys(groups)
    statements: dict[int, list[Statement]] = {}
    for statement in Statement.objects.filter(survey__in=surveys.values()).order_by("pk"):
        statements.setdefault(statement.survey_id, []).append(statement)
    questions = {
        question.survey_id: question
        for question in FreeTextQuestion.objects.filter(survey__in=surveys.values())
    }
    skip = {email.lower() for email in leave_unanswered}
    registrations = (
        rules.active_participants([group.pk for group in groups])
        .select_related("user")
        .order_by("pk")
    )
    people: dict[int, list] = {}
    for registration in registrations:
        if registration.user.email.lower() not in skip:
            people.setdefault(registration.work_group_id, []).append(registration.user)
    now = timezone.now()
    responses, levels = [], []
    for group in groups:
        survey = surveys[(group.project_id, group.academic_year_id)]
        opened = {o: schedule.window(group, o, today).has_opened for o in Occasion.values}
        for user in people.get(group.pk, []):
            level, change = rng.gauss(3.0, 0.6), rng.gauss(0.45, 0.45)
            answered_start = opened[Occasion.START] and rng.random() < START_RATE
            if answered_start:
                responses.append(_response(survey, Occasion.START, user, group, now))
                levels.append(level)
            if opened[Occasion.END] and rng.random() < (END_RATE if answered_start else 0.3):
                responses.append(_response(survey, Occasion.END, user, group, now))
                levels.append(level + change)
    Response.objects.bulk_create(responses, batch_size=2000)
    answers, texts = [], []
    for response, level in zip(responses, levels, strict=True):
        for statement in statements[response.survey_id]:
            answers.append(Answer(response=response, statement=statement, value=_value(rng, level)))
        question = questions.get(response.survey_id)
        if question is not None and question.asked_at(response.occasion):
            texts.append(
                FreeTextAnswer(response=response, question=question, text=rng.choice(ANSWERS))
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    FreeTextAnswer.objects.bulk_create(texts, batch_size=5000)
    return {"surveys": len(surveys), "responses": len(responses), "answers": len(answers)}


def _response(survey, occasion, user, group, now) -> Response:
    return Response(survey=survey, occasion=occasion, user=user, work_group=group, submitted_at=now)


def _surveys(groups: list[WorkGroup]) -> dict[tuple[int, int], Survey]:
    """A ready survey for each project and year with these groups (existing ones are kept)."""
    keys = sorted({(group.project_id, group.academic_year_id) for group in groups})
    existing = {
        (survey.project_id, survey.academic_year_id): survey
        for survey in Survey.objects.filter(project_id__in={p for p, _ in keys})
    }
    new = [
        Survey(
            project_id=project_id,
            academic_year_id=year_id,
            title="Participants' survey",
            introduction="A few statements about your teaching, your pupils and your school. "
            "There are no right answers: tell us how things are for you now.",
            ready=True,
        )
        for project_id, year_id in keys
        if (project_id, year_id) not in existing
    ]
    Survey.objects.bulk_create(new)
    areas = {area.code: area for area in OutcomeArea.objects.all()}
    Statement.objects.bulk_create(
        Statement(survey=survey, area=areas[code], text=text, order=order)
        for survey in new
        for code, texts in STATEMENTS.items()
        if code in areas
        for order, text in enumerate(texts)
    )
    FreeTextQuestion.objects.bulk_create(
        FreeTextQuestion(survey=survey, occasion=occasion, text=text, order=order)
        for survey in new
        for order, (occasion, text) in enumerate(QUESTIONS)
    )
    for survey in new:
        existing[(survey.project_id, survey.academic_year_id)] = survey
    return existing
