"""The national team defines surveys in the admin; hub staff read them; nobody lists answers."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import OutcomeArea
from surveys.models import Answer, Occasion, Response, Statement, Survey
from tests.factories import (
    AcademicYearFactory,
    HubMembershipFactory,
    NationalAdminFactory,
    ProjectFactory,
)
from tests.surveys.helpers import answer, group_with_sessions, make_survey, people

pytestmark = pytest.mark.django_db


def inline_data(prefix, rows=(), initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def test_the_national_team_adds_a_survey_with_its_statements(client):
    client.force_login(NationalAdminFactory())
    project, year = ProjectFactory(), AcademicYearFactory()
    practice = OutcomeArea.objects.get(code="practice")

    response = client.post(
        reverse("admin:surveys_survey_add"),
        {
            "project": project.pk,
            "academic_year": year.pk,
            "title": "Mastery survey",
            "introduction": "",
            "ready": "on",
            **inline_data(
                "statements",
                [{"area": practice.pk, "text": "I plan in small steps.", "order": 1}],
            ),
            **inline_data("questions", [{"text": "What changed?", "occasion": "end", "order": 0}]),
        },
    )

    assert response.status_code == 302
    survey = Survey.objects.get()
    assert list(survey.statements.values_list("area__code", "text")) == [
        ("practice", "I plan in small steps.")
    ]
    assert survey.questions.get().occasion == "end"
    assert LogEntry.objects.get_for_object(survey).exists()


def test_a_second_survey_for_the_same_project_and_year_is_refused(client):
    client.force_login(NationalAdminFactory())
    survey = make_survey(ProjectFactory())

    response = client.post(
        reverse("admin:surveys_survey_add"),
        {
            "project": survey.project_id,
            "academic_year": survey.academic_year_id,
            "title": "Again",
            **inline_data("statements"),
            **inline_data("questions"),
        },
    )

    assert response.status_code == 200
    assert "This project already has a survey that year." in response.content.decode()
    assert Survey.objects.count() == 1


def test_hub_staff_read_surveys_but_change_nothing(client):
    survey = make_survey(ProjectFactory())
    client.force_login(HubMembershipFactory().user)
    change = reverse("admin:surveys_survey_change", args=[survey.pk])

    assert client.get(reverse("admin:surveys_survey_changelist")).status_code == 200
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:surveys_survey_add")).status_code == 403
    response = client.post(change, {"title": "Changed", **inline_data("statements")})
    survey.refresh_from_db()

    assert response.status_code == 403
    assert survey.title == "Teaching for Mastery survey"


def test_no_admin_page_lists_anyones_answers():
    registered = {model._meta.label for model in admin.site._registry}

    assert "surveys.Survey" in registered
    assert not registered & {"surveys.Response", "surveys.Answer", "surveys.FreeTextAnswer"}


@pytest.fixture
def answered():
    year, project = AcademicYearFactory(), ProjectFactory()
    survey = make_survey(project, year)
    group = group_with_sessions(-7, 60, project=project, academic_year=year)
    users = people(group, 2)
    answer(users[0], group, Occasion.START, 4, texts="Pupils explain more.")
    answer(users[1], group, Occasion.START, 3, texts="Ask Jo Bloggs, Room 4", submit=False)
    return survey


def test_once_answered_the_statements_and_its_project_and_year_are_fixed(client, answered):
    client.force_login(NationalAdminFactory())
    change = reverse("admin:surveys_survey_change", args=[answered.pk])
    statement = answered.statements.first()

    page = client.get(change)
    html = page.content.decode()
    response = client.post(
        change,
        {
            "title": "Renamed",
            "ready": "on",
            **inline_data("statements"),
            **inline_data("questions"),
        },
    )

    assert "can no longer change" in html
    assert not page.context["inline_admin_formsets"][0].has_change_permission
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.title == "Renamed"
    statement.refresh_from_db()
    assert Statement.objects.filter(survey=answered).count() == 4
    deleted = client.post(reverse("admin:surveys_survey_delete", args=[answered.pk]), {"post": 1})
    assert deleted.status_code == 302
    assert Survey.objects.filter(pk=answered.pk).exists()


def test_reusing_a_survey_copies_it_for_another_year_not_yet_ready(client, answered):
    client.force_login(NationalAdminFactory())
    next_year = AcademicYearFactory(start_year=answered.academic_year.starts_on.year + 1)
    url = reverse("admin:survey_reuse", args=[answered.pk])

    response = client.post(url, {"academic_year": next_year.pk})
    again = client.post(url, {"academic_year": next_year.pk})

    assert response.status_code == 302
    copy = Survey.objects.get(academic_year=next_year)
    assert copy.reused_from == answered
    assert copy.ready is False
    assert list(copy.statements.values_list("area_id", "text")) == list(
        answered.statements.values_list("area_id", "text")
    )
    assert copy.questions.count() == 2
    assert again.status_code == 200
    assert "already has a survey for" in again.content.decode()


def test_hub_staff_cannot_reuse_a_survey(client, answered):
    client.force_login(HubMembershipFactory().user)

    response = client.post(
        reverse("admin:survey_reuse", args=[answered.pk]),
        {"academic_year": AcademicYearFactory(start_year=2040).pk},
    )

    assert response.status_code == 403
    assert Survey.objects.count() == 1


def test_free_text_answers_download_without_names_or_groups(client, answered):
    client.force_login(NationalAdminFactory())
    response = client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "download_free_text", ACTION_CHECKBOX_NAME: [answered.pk]},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    group = Response.objects.first().work_group

    assert rows[0] == ["Survey", "Year", "Hub", "Occasion", "Question", "Answer"]
    assert rows[1][2:] == [group.hub.name, "Start", "What do you hope for?", "Pupils explain more."]
    assert len(rows) == 2  # the unsent answer is not there
    body = response.content.decode("utf-8-sig")
    assert group.name not in body
    for user in Answer.objects.values_list("response__user__email", flat=True):
        assert user not in body


def test_hub_staff_are_not_offered_the_free_text_download(client, answered):
    client.force_login(HubMembershipFactory().user)
    page = client.get(reverse("admin:surveys_survey_changelist"))
    choices = [name for name, _ in page.context["action_form"].fields["action"].choices]

    response = client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "download_free_text", ACTION_CHECKBOX_NAME: [answered.pk]},
    )

    assert "download_free_text" not in choices
    assert "Pupils explain more." not in response.content.decode()


def test_the_survey_list_costs_the_same_queries_for_more_surveys_and_answers(client, answered):
    client.force_login(NationalAdminFactory())
    url = reverse("admin:surveys_survey_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(3):
        survey = make_survey(ProjectFactory())
        group = group_with_sessions(
            -7, 60, project=survey.project, academic_year=survey.academic_year
        )
        for user in people(group, 3):
            answer(user, group, Occasion.START, 2)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()

    assert len(small) == len(large)
    assert "Teaching for Mastery survey" in html
