"""The pieces other pages include: the notice of surveys waiting, and the impact chart."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from surveys.models import Occasion
from surveys.templatetags.surveys import impact_chart
from tests.factories import AcademicYearFactory, NationalAdminFactory, ProjectFactory
from tests.surveys.helpers import answer, group_with_sessions, make_survey, people

NOTICE = Template("{% load surveys %}{% surveys_due_notice %}")


def render_notice(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return NOTICE.render(Context({"request": request}))


@pytest.mark.django_db
def test_the_notice_links_a_participant_to_each_survey_waiting_for_them():
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    group = group_with_sessions(-3, 60, project=project, academic_year=year, name="Ash Group")
    teacher, colleague = people(group, 2)
    answer(colleague, group, Occasion.START, 3)

    html = render_notice(teacher)

    assert "A survey is waiting for you" in html
    assert f'href="/surveys/{group.pk}/start/"' in html
    assert "Ash Group: start survey" in html
    assert render_notice(colleague).strip() == ""
    assert render_notice(NationalAdminFactory()).strip() == ""


def area(name, g=None, low=None, high=None, pairs=20):
    if g is None:
        return {"name": name, "code": name, "pairs": pairs, "suppressed": True}
    return {
        "name": name,
        "code": name,
        "pairs": pairs,
        "suppressed": False,
        "effect_size": g,
        "effect_low": low,
        "effect_high": high,
    }


def test_the_chart_axis_runs_from_minus_half_to_one_and_a_half_and_widens_for_wide_intervals():
    narrow = impact_chart([area("A", 0.4, 0.1, 0.7)])
    wide = impact_chart([area("A", -0.2, -1.1, 0.7), area("B", 1.2, 0.4, 2.3)])

    assert [t["label"] for t in narrow["ticks"]] == ["-0.5", "0", "0.5", "1", "1.5"]
    labels = [t["label"] for t in wide["ticks"]]
    assert (labels[0], labels[-1]) == ("-1.5", "2.5")
    row = narrow["rows"][0]
    # 328 units for 2 points of g: 0.1 -> 12 + 164 x 0.6 = 110.4, 0.7 -> 12 + 164 x 1.2 = 208.8
    assert (row["x_low"], row["x"], row["x_high"]) == (110.4, 159.6, 208.8)
    assert narrow["zero_x"] == 94.0


def test_long_area_names_wrap_and_suppressed_areas_draw_no_interval():
    chart = impact_chart(
        [
            area("New approaches and policies across the school or department", 0.3, 0.1, 0.5),
            area("Pupils' learning"),
        ]
    )

    wrapped, suppressed = chart["rows"]
    assert [label["text"] for label in wrapped["labels"]] == [
        "New approaches and policies across the school",
        "or department: g 0.30",
    ]
    assert suppressed["drawn"] is False
    assert "x" not in suppressed
    assert suppressed["line_y"] > wrapped["line_y"]


@pytest.mark.django_db
def test_my_registrations_shows_the_surveys_waiting_and_every_page_links_to_my_surveys(client):
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    group = group_with_sessions(-3, 60, project=project, academic_year=year, name="Ash Group")
    (teacher,) = people(group, 1)
    client.force_login(teacher)

    page = client.get(reverse("workgroups:my_registrations")).content.decode()

    assert "A survey is waiting for you" in page
    assert f'href="/surveys/{group.pk}/start/"' in page
    assert f'href="{reverse("surveys:mine")}">My surveys</a>' in page

    answer(teacher, group, Occasion.START, 3)
    page = client.get(reverse("workgroups:my_registrations")).content.decode()
    assert "A survey is waiting for you" not in page
