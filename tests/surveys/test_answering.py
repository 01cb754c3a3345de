"""A participant answers their group's survey a page at a time, with and without the script."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from surveys import services
from surveys.models import Answer, FreeTextAnswer, Occasion, Response
from tests.factories import AcademicYearFactory, ProjectFactory
from tests.surveys.helpers import (
    TODAY,
    answer,
    group_with_sessions,
    make_survey,
    people,
    sheet,
)
from workgroups import services as workgroup_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    year = AcademicYearFactory()
    project = ProjectFactory(title="Mastery Readiness")
    make_survey(project, year, per_area=2)
    return group_with_sessions(-7, 60, project=project, academic_year=year, name="Cedar Group")


@pytest.fixture
def teacher(group):
    return people(group, 1)[0]


def step_url(group, occasion, step):
    return reverse("surveys:step", args=[group.pk, occasion, step])


def statement_fields(page, step):
    return {f"statement_{s.pk}": s for s in page.steps[step - 1].statements}


def saved(user, group, occasion="start"):
    response = Response.objects.filter(user=user, work_group=group, occasion=occasion).first()
    if response is None:
        return {}
    return dict(response.answers.values_list("statement_id", "value"))


# Through the services -------------------------------------------------------------------


def test_answers_are_saved_as_they_are_given_and_sent_once_complete(group, teacher):
    page = sheet(teacher, group, Occasion.START)
    first, second, *rest = page.statements

    services.save_answers(user=teacher, sheet=page, ratings={first.pk: 2})
    services.save_answers(user=teacher, sheet=page, ratings={first.pk: 4, second.pk: 5})

    assert saved(teacher, group) == {first.pk: 4, second.pk: 5}
    assert Response.objects.get(user=teacher).submitted_at is None
    with pytest.raises(services.SurveyError) as refused:
        services.submit_response(user=teacher, sheet=sheet(teacher, group, Occasion.START))
    # The first page's two statements are answered; the other three pages are not.
    assert first.area == second.area
    assert [reason.field for reason in refused.value.details] == [
        "practice",
        "pupil_learning",
        "school_approaches",
    ]
    assert str(refused.value.details[0]) == "Practice development: 2 statements not answered yet."

    services.save_answers(user=teacher, sheet=page, ratings={s.pk: 3 for s in rest})
    services.submit_response(user=teacher, sheet=sheet(teacher, group, Occasion.START))
    assert Response.objects.get(user=teacher).submitted_at is not None


def test_sent_answers_cannot_be_changed(group, teacher):
    page = answer(teacher, group, Occasion.START, 3)
    statement = page.statements[0]

    with pytest.raises(services.SurveyError, match="already sent"):
        services.save_answers(
            user=teacher,
            sheet=sheet(teacher, group, Occasion.START),
            ratings={statement.pk: 5},
        )

    assert set(saved(teacher, group).values()) == {3}


@pytest.mark.parametrize("value", [0, 6, -1, 99999999999])
def test_a_value_off_the_scale_is_refused_and_nothing_is_saved(group, teacher, value):
    page = sheet(teacher, group, Occasion.START)
    first, second = page.statements[:2]

    with pytest.raises(services.SurveyError) as refused:
        services.save_answers(user=teacher, sheet=page, ratings={first.pk: 4, second.pk: value})

    assert refused.value.details[0].field == f"statement_{second.pk}"
    assert not Response.objects.exists()


def test_statements_of_another_survey_are_refused(group, teacher):
    other = make_survey(ProjectFactory())
    page = sheet(teacher, group, Occasion.START)

    with pytest.raises(services.SurveyError, match="from this survey"):
        services.save_answers(user=teacher, sheet=page, ratings={other.statements.first().pk: 3})

    assert not Answer.objects.exists()


def test_the_end_survey_cannot_be_answered_before_the_last_session(group, teacher):
    page = sheet(teacher, group, Occasion.END)

    with pytest.raises(services.SurveyError, match="not open yet"):
        services.save_answers(user=teacher, sheet=page, ratings={page.statements[0].pk: 3})


def test_the_start_survey_closes_once_the_end_survey_opens(group, teacher):
    late = TODAY() + datetime.timedelta(days=60)
    page = sheet(teacher, group, Occasion.START, today=late)

    with pytest.raises(services.SurveyError, match="closed"):
        services.save_answers(user=teacher, sheet=page, ratings={page.statements[0].pk: 3})


def test_only_active_participants_of_the_group_have_a_sheet(group, teacher):
    other_group = group_with_sessions(-7, 60, project=group.project)
    outsider = people(other_group, 1)[0]
    registration = teacher.registrations.get()

    assert sheet(outsider, group, Occasion.START) is None
    workgroup_services.withdraw(registration=registration)
    assert sheet(teacher, group, Occasion.START) is None


def test_a_survey_not_yet_ready_has_no_sheet(group, teacher):
    group.project.surveys.update(ready=False)

    assert sheet(teacher, group, Occasion.START) is None


def test_free_text_is_saved_and_over_long_text_refused(group, teacher):
    page = sheet(teacher, group, Occasion.START)
    question = page.questions[0]

    with pytest.raises(services.SurveyError, match="5000 characters"):
        services.save_answers(user=teacher, sheet=page, texts={question.pk: "x" * 5001})
    services.save_answers(user=teacher, sheet=page, texts={question.pk: "More reasoning."})

    assert FreeTextAnswer.objects.get().text == "More reasoning."


def test_the_start_and_end_surveys_ask_their_own_free_text_questions(group, teacher):
    start, end = sheet(teacher, group, "start"), sheet(teacher, group, "end")

    assert [q.text for q in start.questions] == ["What do you hope for?"]
    assert [q.text for q in end.questions] == ["What changed most?"]
    assert [s.pk for s in start.statements] == [s.pk for s in end.statements]


# Through the pages ----------------------------------------------------------------------


def test_answering_page_by_page_without_the_script(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)

    response = client.get(reverse("surveys:answer", args=[group.pk, "start"]))
    assert response.url == step_url(group, "start", 1)

    for step in range(1, 5):
        html = client.get(step_url(group, "start", step)).content.decode()
        assert f"Page {step} of 5" in html
        assert escape(page.steps[step - 1].area.name) in html
        data = dict.fromkeys(statement_fields(page, step), "4")
        response = client.post(step_url(group, "start", step), {**data, "action": "continue"})
        assert response.url == step_url(group, "start", step + 1)

    question = page.questions[0]
    response = client.post(
        step_url(group, "start", 5), {f"question_{question.pk}": "Fluency.", "action": "submit"}
    )

    assert response.url == reverse("surveys:done", args=[group.pk, "start"])
    sent = Response.objects.get(user=teacher)
    assert sent.submitted_at is not None
    assert set(saved(teacher, group).values()) == {4}
    assert sent.free_text_answers.get().text == "Fluency."
    assert "Thank you" in client.get(response.url).content.decode()


def test_each_statement_is_a_fieldset_with_a_legend_and_five_labelled_choices(
    client, group, teacher
):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)

    html = client.get(step_url(group, "start", 1)).content.decode()

    for statement in page.steps[0].statements:
        legend = f'<legend class="fs-6 fw-semibold float-none w-auto mb-2">{escape(statement.text)}'
        assert legend in html
        for value, label in enumerate(
            [
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ]
        ):
            field_id = f"id_statement_{statement.pk}_{value}"
            assert f'id="{field_id}" value="{value + 1}"' in html
            assert f'<label class="form-check-label" for="{field_id}">{label}</label>' in html
    assert html.count("<fieldset") == 2


def test_sending_with_statements_unanswered_lists_them_and_sends_nothing(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)
    client.post(step_url(group, "start", 1), {**dict.fromkeys(statement_fields(page, 1), "2")})

    response = client.post(step_url(group, "start", 5), {"action": "submit"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    for step in page.steps[1:4]:
        assert f'href="{step_url(group, "start", step.number)}"' in html
        assert f"{escape(step.area.name)}: 2 statements not answered yet" in html
    assert escape(page.steps[0].area.name) + ": " not in html
    assert "Your answers so far are saved, but not sent yet." in html
    assert Response.objects.get(user=teacher).submitted_at is None


@pytest.mark.parametrize(
    "value",
    [
        "6",
        "0",
        "",
        "x",
        "\N{SUPERSCRIPT TWO}",
        "\N{ARABIC-INDIC DIGIT ONE}",
        "9" * 20,
        "<script>",
        "4\x00",
    ],
)
def test_a_bad_value_is_shown_next_to_its_statement_and_nothing_changes(
    client, group, teacher, value
):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)
    first, second = statement_fields(page, 1)
    client.post(step_url(group, "start", 1), {first: "2"})

    response = client.post(
        step_url(group, "start", 1), {first: "5", second: value, "action": "continue"}
    )

    if value == "":  # an empty choice is no answer at all: saved as unanswered
        assert response.status_code == 302
        assert saved(teacher, group) == {page.statements[0].pk: 5}
        return
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the five answers, from strongly disagree to strongly agree." in html
    assert f'href="#id_{second}_0"' in html
    assert f'id="id_{second}-error"' in html
    assert saved(teacher, group) == {page.statements[0].pk: 2}


def test_saving_and_going_back_keeps_the_answers(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)
    data = dict.fromkeys(statement_fields(page, 2), "5")

    response = client.post(step_url(group, "start", 2), {**data, "action": "back"})

    assert response.url == step_url(group, "start", 1)
    html = client.get(step_url(group, "start", 2)).content.decode()
    assert html.count('value="5" checked') == 2


def test_finish_later_saves_and_returns_to_the_list(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)
    data = dict.fromkeys(statement_fields(page, 1), "3")

    response = client.post(step_url(group, "start", 1), {**data, "action": "later"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("surveys:mine")
    html = response.content.decode()
    assert "Your answers are saved. Come back to finish." in html
    assert "Carry on" in html


def test_the_script_saves_one_answer_at_a_time(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)
    url = reverse("surveys:autosave", args=[group.pk, "start"])
    name = next(iter(statement_fields(page, 3)))

    response = client.post(url, {name: "5"})

    assert response.status_code == 200
    assert response.json() == {"saved": True, "answered": 1, "total": 8}
    assert saved(teacher, group) == {page.steps[2].statements[0].pk: 5}


@pytest.mark.parametrize("data", [{"statement_999999999": "3"}, {"x": "3"}, {}])
def test_the_script_sending_nothing_of_this_survey_saves_nothing_harmful(
    client, group, teacher, data
):
    client.force_login(teacher)

    response = client.post(reverse("surveys:autosave", args=[group.pk, "start"]), data)

    assert response.status_code == 200
    assert not Answer.objects.exists()


def test_the_script_is_told_why_a_value_was_refused(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.START)
    name = next(iter(statement_fields(page, 1)))

    response = client.post(reverse("surveys:autosave", args=[group.pk, "start"]), {name: "9"})

    assert response.status_code == 400
    assert response.json()["errors"][name].startswith("Choose one of the five answers")
    assert not Answer.objects.exists()


def test_a_survey_that_is_not_open_says_when_it_opens_and_takes_no_answers(client, group, teacher):
    client.force_login(teacher)
    page = sheet(teacher, group, Occasion.END)
    name = next(iter(statement_fields(page, 1)))
    opens = (TODAY() + datetime.timedelta(days=60)).strftime("%-d %B %Y")

    html = client.get(step_url(group, "end", 1)).content.decode()
    posted = client.post(step_url(group, "end", 1), {name: "3"})
    script = client.post(reverse("surveys:autosave", args=[group.pk, "end"]), {name: "3"})

    assert "This survey is not open" in html
    assert opens in html
    assert posted.status_code == 400
    assert script.status_code == 400
    assert "not open yet" in script.json()["errors"]["__all__"]
    assert not Answer.objects.exists()


def test_a_sent_survey_shows_the_thank_you_page(client, group, teacher):
    answer(teacher, group, Occasion.START, 4)
    client.force_login(teacher)

    response = client.get(step_url(group, "start", 2))

    assert response.url == reverse("surveys:done", args=[group.pk, "start"])


def test_my_surveys_lists_what_is_open_coming_and_sent(client, group, teacher):
    finished = group_with_sessions(-90, -20, project=group.project, name="Birch Group")
    registration = people(finished, 1)[0].registrations.get()
    registration.user = teacher
    registration.save()
    answer(teacher, finished, Occasion.START, 3)
    client.force_login(teacher)

    html = client.get(reverse("surveys:mine")).content.decode()

    assert "Cedar Group: start survey" in html
    assert reverse("surveys:answer", args=[group.pk, "start"]) in html
    assert "Birch Group: end survey" in html
    assert "Sent \N{EN DASH} thank you" in html
    opens = (TODAY() + datetime.timedelta(days=60)).strftime("%-d %B %Y")
    assert f"Opens on {opens}" in html


def test_no_email_is_sent_by_answering(client, group, teacher):
    answer(teacher, group, Occasion.START, 4)

    assert mail.outbox == []


def test_nobody_answers_for_a_group_they_are_not_in_whatever_sheet_they_hold(group, teacher):
    outsider = people(group_with_sessions(-7, 60, project=group.project), 1)[0]
    page = sheet(teacher, group, Occasion.START)

    with pytest.raises(services.SurveyError, match="Only the group's participants"):
        services.save_answers(user=outsider, sheet=page, ratings={page.statements[0].pk: 1})

    assert not Response.objects.exists()
