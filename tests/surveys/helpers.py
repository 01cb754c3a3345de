"""Builders for the surveys' tests: a survey, groups at each point of their year, and answers
given through the services exactly as a participant's page gives them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from projects.models import OutcomeArea
from surveys import services
from surveys.models import FreeTextQuestion, Occasion, QuestionOccasion, Statement, Survey
from tests.factories import (
    AcademicYearFactory,
    LLMEFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SessionFactory,
    WorkGroupFactory,
)
from workgroups.models import WorkGroupStatus

TODAY = timezone.localdate


def make_survey(project, year=None, *, per_area=1, questions=True, ready=True) -> Survey:
    """A ready survey with ``per_area`` statements in each of the four outcome areas and, with
    ``questions``, one free-text question at the start and one at the end."""
    survey = Survey.objects.create(
        project=project,
        academic_year=year or AcademicYearFactory(),
        title="Teaching for Mastery survey",
        introduction="Tell us how things are for you now.",
        ready=ready,
    )
    for area in OutcomeArea.objects.all():
        for n in range(per_area):
            Statement.objects.create(
                survey=survey, area=area, text=f"{area.name}: statement {n + 1}", order=n
            )
    if questions:
        FreeTextQuestion.objects.create(
            survey=survey, occasion=QuestionOccasion.START, text="What do you hope for?"
        )
        FreeTextQuestion.objects.create(
            survey=survey, occasion=QuestionOccasion.END, text="What changed most?"
        )
    return survey


def at(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def group_with_sessions(*days_from_today, status=WorkGroupStatus.RUNNING, **kwargs):
    """A group (with a lead) whose sessions fall ``days_from_today`` days from today."""
    if "project" not in kwargs:
        kwargs["project"] = ProjectFactory()
    kwargs["project"].outcome_areas.set(OutcomeArea.objects.all())
    kwargs.setdefault("academic_year", AcademicYearFactory())
    group = WorkGroupFactory(status=status, **kwargs)
    group.leads.add(LLMEFactory(hub=group.hub))
    for number, days in enumerate(days_from_today, start=1):
        starts = at(TODAY() + datetime.timedelta(days=days))
        SessionFactory(
            work_group=group,
            number=number,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
        )
    return group


def people(group, count, per_school=2) -> list:
    """``count`` participants of ``group`` (confirmed places, ``per_school`` to a school)."""
    users = []
    place = None
    for n in range(count):
        if n % per_school == 0:
            place = PlaceFactory(work_group=group)
        users.append(RegistrationFactory(place=place).user)
    return users


def first_day(group) -> datetime.date:
    return timezone.localdate(group.sessions.order_by("starts_at").first().starts_at)


def last_day(group) -> datetime.date:
    return timezone.localdate(group.sessions.order_by("starts_at").last().starts_at)


def sheet(user, group, occasion, today=None):
    return services.load_sheet(
        user=user, work_group_id=group.pk, occasion=occasion, today=today or TODAY()
    )


def answer(user, group, occasion, values, *, texts=None, today=None, submit=True):
    """Answer every statement: ``values`` is one value for all, or a value per area code.

    ``today`` defaults to a day the occasion is open: the first session's day for the start,
    the last session's day for the end.
    """
    if today is None:
        today = first_day(group) if occasion == Occasion.START else last_day(group)
    page = sheet(user, group, occasion, today)
    ratings = {
        statement.pk: values if isinstance(values, int) else values[statement.area.code]
        for statement in page.statements
    }
    texts = {page.questions[0].pk: texts} if texts and page.questions else {}
    services.save_answers(user=user, sheet=page, ratings=ratings, texts=texts)
    if submit:
        services.submit_response(user=user, sheet=page)
    return page


def pair(user, group, start, end, **kwargs):
    answer(user, group, Occasion.START, start, **kwargs)
    answer(user, group, Occasion.END, end, **kwargs)
