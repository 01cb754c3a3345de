"""The demo's sample surveys: answers for groups whose surveys have opened, and safe to rerun."""

import pytest

from surveys import impact
from surveys.models import Answer, Occasion, Response, Survey
from surveys.sample import seed_surveys
from tests.factories import AcademicYearFactory, ProjectFactory
from tests.surveys.helpers import group_with_sessions, people
from workgroups.models import WorkGroupStatus

pytestmark = pytest.mark.django_db


def test_seeding_gives_ready_surveys_and_answers_that_show_a_change():
    year, project = AcademicYearFactory(), ProjectFactory()
    finished = group_with_sessions(-90, -2, project=project, academic_year=year)
    running = group_with_sessions(-10, 60, project=project, academic_year=year)
    recruiting = group_with_sessions(
        20, 80, project=ProjectFactory(), academic_year=year, status=WorkGroupStatus.RECRUITING
    )
    for group in (finished, running, recruiting):
        people(group, 24)
    showcase = people(running, 1)[0]

    counts = seed_surveys(leave_unanswered=[showcase.email.upper()])

    survey = Survey.objects.get()
    assert survey.ready
    assert survey.project == project
    assert counts == {
        "surveys": 1,
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
    }
    assert set(Response.objects.values_list("work_group", "occasion")) == {
        (finished.pk, Occasion.START),
        (finished.pk, Occasion.END),
        (running.pk, Occasion.START),
    }
    assert not Response.objects.filter(user=showcase).exists()
    areas = impact.impact_for(project, year)["areas"]
    assert areas
    assert all(area["mean_change"] > 0 for area in areas)


def test_seeding_twice_adds_nothing_and_gives_the_same_answers():
    year, project = AcademicYearFactory(), ProjectFactory()
    people(group_with_sessions(-90, -2, project=project, academic_year=year), 12)
    seed_surveys()
    first = sorted(Answer.objects.values_list("response__user_id", "statement__text", "value"))

    seed_surveys()

    assert sorted(Answer.objects.values_list("response__user_id", "statement__text", "value")) == (
        first
    )
    Answer.objects.all().delete()
    Response.objects.all().delete()
    seed_surveys()
    assert (
        sorted(Answer.objects.values_list("response__user_id", "statement__text", "value")) == first
    )
