"""A participant's own survey answers in their data, and what erasing keeps and removes."""

import json

import pytest
from django.urls import reverse

from privacy.services import erase_user, personal_data
from surveys.models import Answer, FreeTextAnswer, Occasion
from tests.factories import AcademicYearFactory, ProjectFactory
from tests.surveys.helpers import answer, group_with_sessions, make_survey, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered():
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    group = group_with_sessions(-7, 60, project=project, academic_year=year, name="Elm Group")
    me, someone = people(group, 2)
    answer(me, group, Occasion.START, 4, texts="My class argues about fractions.")
    answer(someone, group, Occasion.START, 2, texts="Someone else's words.")
    return me, someone


def test_their_download_holds_their_answers_and_nobody_elses(client, answered):
    me, _ = answered
    client.force_login(me)

    data = json.loads(client.get(reverse("privacy:my_data_download")).content)

    [response] = data["survey_responses"]
    assert response["group"] == "Elm Group"
    assert response["occasion"] == "Start"
    assert response["submitted_at"]
    assert {row["answer"] for row in response["answers"]} == {4}
    assert len(response["answers"]) == 4
    assert response["in_your_own_words"] == [
        {"question": "What do you hope for?", "answer": "My class argues about fractions."}
    ]
    assert "Someone else" not in json.dumps(data)


def test_the_data_page_counts_them_and_says_who_sees_what(client, answered):
    client.force_login(answered[0])

    html = client.get(reverse("privacy:my_data")).content.decode()

    assert "Your answers to participants' surveys: 1" in html
    assert (
        "only ever see averages, and only where\n      at least five people answered both" in html
    )
    assert "survey ratings" in html


def test_erasing_keeps_their_ratings_and_removes_their_own_words(answered):
    me, someone = answered
    before = sorted(Answer.objects.values_list("response__user_id", "statement_id", "value"))

    erase_user(user=me)

    assert sorted(Answer.objects.values_list("response__user_id", "statement_id", "value")) == (
        before
    )
    assert FreeTextAnswer.objects.get(response__user=me).text == ""
    assert FreeTextAnswer.objects.get(response__user=someone).text == "Someone else's words."
    assert personal_data(user=me)["profile"]["first_name"] == "Erased"
