"""A teacher answers their group's start survey on a phone; a lead reads the group's averages;
the national report's impact section shows the change with its chart and tables."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from evaluations.reports import services
from surveys.models import Answer, Occasion, Response
from tests.browser.conftest import VIEWPORTS, sign_in
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    NationalAdminFactory,
    ProjectFactory,
    SchoolFactory,
)
from tests.projects.helpers import PASSWORD
from tests.surveys.helpers import group_with_sessions, make_survey, pair, people
from tests.surveys.test_statistics import END, START

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def saved_values(user):
    return sorted(Answer.objects.filter(response__user=user).values_list("value", flat=True))


def test_a_teacher_answers_the_start_survey_on_a_phone(page, live_server, shoot, axe_check):
    year, project = AcademicYearFactory(), ProjectFactory(title="Mastery Readiness")
    survey = make_survey(project, year, per_area=2)
    group = group_with_sessions(
        -2, 40, 90, project=project, academic_year=year, name="Leeds Mastery Work Group"
    )
    teacher = verified(people(group, 1)[0])
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in(page, live_server, teacher.email, PASSWORD, "/surveys/")
    page.wait_for_url("**/surveys/")

    expect(page.get_by_role("heading", name="To answer now")).to_be_visible()
    axe_check("my surveys")
    shoot("survey-my-surveys")
    page.get_by_role("link", name=re.compile("Start the start survey for Leeds")).click()

    statements = list(survey.statements.select_related("area").order_by("area__order", "order"))
    status = page.locator("#save-status")
    for number in range(1, 5):
        expect(page.get_by_text(f"Page {number} of 5")).to_be_visible()
        assert fits_the_screen(page)
        if number == 1:
            axe_check("a survey page")
            shoot("survey-page-1")
        first, second = statements[2 * (number - 1) : 2 * number]
        page.get_by_role("group", name=first.text).get_by_label("Agree", exact=True).check()
        expect(status).to_have_text("Your answers are saved.")
        # By keyboard: focus the second statement's first choice and move down to the third.
        group_ = page.get_by_role("group", name=second.text)
        group_.get_by_label("Strongly disagree").focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(group_.get_by_label("Neither agree nor disagree")).to_be_checked()
        expect(status).to_have_text("Your answers are saved.")
        assert len(saved_values(teacher)) == 2 * number  # saved before leaving the page
        page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("Page 5 of 5")).to_be_visible()
    box = page.get_by_label("What do you hope for? (optional)")
    box.fill("Pupils who explain their reasoning.")
    expect(status).to_have_text("Your answers are saved.", timeout=10_000)
    axe_check("the free-text page")
    shoot("survey-page-5")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    axe_check("thank you")
    shoot("survey-thank-you")
    response = Response.objects.get(user=teacher, occasion=Occasion.START)
    assert response.submitted_at is not None
    assert saved_values(teacher) == [3] * 4 + [4] * 4
    assert response.free_text_answers.get().text == "Pupils who explain their reasoning."


def test_sending_an_unfinished_survey_shows_what_is_missing(page, live_server, shoot, axe_check):
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year, questions=False)
    group = group_with_sessions(-2, 60, project=project, academic_year=year, name="Oak Group")
    teacher = verified(people(group, 1)[0])
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in(page, live_server, teacher.email, PASSWORD, f"/surveys/{group.pk}/start/4/")
    page.wait_for_url(f"**/surveys/{group.pk}/start/4/")

    page.get_by_role("button", name="Send my answers").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_count(4)
    assert fits_the_screen(page)
    axe_check("a refused send")
    shoot("survey-missing-answers")
    summary.get_by_role("link", name=re.compile("Practice development")).click()
    expect(page.get_by_role("heading", name="Practice development")).to_be_visible()


def test_the_impact_section_of_the_national_report(page, live_server, shoot, axe_check):
    year, project = AcademicYearFactory(), ProjectFactory(title="Mastery Readiness")
    project.years.add(year)
    make_survey(project, year)
    for name, count in (("Abacus Maths Hub", 10), ("Boolean Maths Hub", 6)):
        group = group_with_sessions(
            -60, -1, project=project, academic_year=year, hub=HubFactory(name=name)
        )
        for n, user in enumerate(people(group, count + 2)[:count]):
            pair(user, group, START[n % 10], END[n % 10])

    report = services.request_report(project=project, academic_year=year)
    report = services.build_report(report_id=report.pk)
    national = verified(NationalAdminFactory())
    url = reverse("reports:detail", args=[report.pk])
    sign_in(page, live_server, national.email, PASSWORD, next_url=url)
    page.wait_for_url(f"{live_server.url}{url}")
    expect(page.get_by_role("heading", name="Impact: change participants report")).to_be_visible()

    chart = page.get_by_role("img", name=re.compile("Effect size \\(Hedges' g\\)"))
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Change from start to end"))
    expect(table.get_by_role("row")).to_have_count(5)
    expect(page.get_by_role("table", name="Response rates by hub")).to_contain_text("Abacus")
    by_hub = page.get_by_role("table", name=re.compile("^Effect size g"))
    expect(by_hub).to_contain_text("6 pairs: too few")
    expect(page.get_by_text(re.compile("Hedges' g for paired scores"))).to_be_visible()
    axe_check("impact section")
    shoot("report-impact-section")
    page.set_viewport_size(VIEWPORTS["phone"])
    assert fits_the_screen(page)


def test_a_lead_reads_the_groups_averages(page, live_server, shoot, axe_check):
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    group = group_with_sessions(-60, -1, project=project, academic_year=year, name="Elm Group")
    for n, user in enumerate(people(group, 6)):
        pair(user, group, START[n], END[n])
    lead = verified(group.leads.get().user)
    lead.school = SchoolFactory()  # a complete profile, as the site asks of everyone
    lead.save()

    sign_in(page, live_server, lead.email, PASSWORD, f"/surveys/groups/{group.pk}/")
    page.wait_for_url(f"**/surveys/groups/{group.pk}/")

    expect(page.get_by_role("table")).to_contain_text("Practice development")
    axe_check("a group's averages")
    shoot("survey-group-averages")
