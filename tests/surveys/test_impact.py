"""The report's impact figures: paired change per outcome area, nationally and per hub, with
response rates, from answers given through the services."""

import datetime
import json

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from privacy.services import erase_user
from projects.models import OutcomeArea
from surveys import impact, services
from surveys.models import Occasion
from tests.factories import AcademicYearFactory, HubFactory, ProjectFactory
from tests.surveys.helpers import TODAY, answer, group_with_sessions, make_survey, pair, people
from tests.surveys.test_statistics import END, HAND, START
from workgroups import services as workgroup_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two hubs' groups of one project: 10 people answered both surveys (6 and 4), one only
    the start, one neither; one more started the end survey without sending it."""
    year = AcademicYearFactory()
    project = ProjectFactory(title="Mastery Readiness")
    make_survey(project, year)
    north = HubFactory(name="North Maths Hub")
    south = HubFactory(name="South Maths Hub")
    a = group_with_sessions(-60, -30, -1, project=project, academic_year=year, hub=north)
    b = group_with_sessions(-60, -1, project=project, academic_year=year, hub=south)
    in_a, in_b = people(a, 8), people(b, 5)
    pairs = [(user, a) for user in in_a[:6]] + [(user, b) for user in in_b[:4]]
    for n, (user, group) in enumerate(pairs):
        pair(user, group, START[n], END[n])
    answer(in_a[6], a, Occasion.START, 3)
    answer(in_a[7], a, Occasion.START, 2)
    answer(in_a[7], a, Occasion.END, 5, submit=False)
    return {
        "project": project,
        "year": year,
        "a": a,
        "b": b,
        "north": north,
        "south": south,
        "in_a": in_a,
        "in_b": in_b,
    }


def figures(world, hub=None):
    return impact.impact_for(world["project"], world["year"], hub)


def test_each_areas_paired_change_matches_the_figures_worked_by_hand(world):
    found = figures(world)

    assert [area["code"] for area in found["areas"]] == list(
        OutcomeArea.objects.values_list("code", flat=True)
    )
    for area in found["areas"]:
        assert area["pairs"] == 10
        assert area["suppressed"] is False
        for name in ("mean_start", "mean_end", "mean_change", "correlation"):
            assert area[name] == pytest.approx(HAND[name], abs=5e-4), name
        for name in ("change_low", "change_high", "effect_size", "effect_low", "effect_high"):
            assert area[name] == pytest.approx(HAND[name], abs=5e-4), name


def test_a_persons_area_score_is_the_mean_of_their_ratings_of_its_statements():
    year, project = AcademicYearFactory(), ProjectFactory()
    survey = make_survey(project, year, per_area=2)
    group = group_with_sessions(-60, -1, project=project, academic_year=year)
    users = people(group, 10)
    practice = survey.statements.filter(area__code="practice").order_by("order")
    for n, user in enumerate(users):
        page = answer(user, group, Occasion.START, START[n], submit=False)
        # practice: the two statements rated START[n] and START[n] + 1 -> mean START[n] + 0.5
        services.save_answers(user=user, sheet=page, ratings={practice[1].pk: START[n] + 1})
        services.submit_response(user=user, sheet=page)
        answer(user, group, Occasion.END, END[n])

    area = next(a for a in impact.impact_for(project, year)["areas"] if a["code"] == "practice")

    assert area["mean_start"] == pytest.approx(3.5)
    assert area["mean_change"] == pytest.approx(0.3)


def test_fewer_than_ten_pairs_are_counted_but_not_shown(world):
    found = figures(world)

    by_hub = {row["hub"]: row for row in found["by_hub"]}
    assert list(by_hub) == ["North Maths Hub", "South Maths Hub"]
    for row, pairs in ((by_hub["North Maths Hub"], 6), (by_hub["South Maths Hub"], 4)):
        for area in row["areas"]:
            assert area == {
                "code": area["code"],
                "name": area["name"],
                "pairs": pairs,
                "suppressed": True,
            }


def test_a_hubs_report_has_only_its_own_figures(world):
    found = figures(world, world["south"])

    assert [row["hub"] for row in found["by_hub"]] == ["South Maths Hub"]
    assert all(area["pairs"] == 4 and area["suppressed"] for area in found["areas"])
    assert [row["hub"] for row in found["response_rates"]] == ["South Maths Hub"]


def test_response_rates_per_hub_count_sent_surveys_over_participants(world):
    rates = {row["hub"]: row for row in figures(world)["response_rates"]}

    assert rates["North Maths Hub"] == {
        "hub_id": world["north"].pk,
        "hub": "North Maths Hub",
        "start_participants": 8,
        "start_sent": 8,
        "start_rate": 100.0,
        "end_participants": 8,
        "end_sent": 6,
        "end_rate": 75.0,
        "pairs": 6,
    }
    assert rates["South Maths Hub"]["start_sent"] == 4
    assert rates["South Maths Hub"]["start_rate"] == 80.0
    total = rates["All hubs"]
    assert (total["start_participants"], total["start_sent"], total["start_rate"]) == (13, 12, 92.3)
    assert (total["end_participants"], total["end_sent"], total["end_rate"]) == (13, 10, 76.9)
    assert total["pairs"] == 10


def test_groups_whose_end_survey_has_not_opened_do_not_count_against_its_rate(world):
    early = group_with_sessions(
        -5, 50, project=world["project"], academic_year=world["year"], hub=world["north"]
    )
    people(early, 3)

    north = next(r for r in figures(world)["response_rates"] if r["hub"] == "North Maths Hub")

    assert north["start_participants"] == 11
    assert north["end_participants"] == 8


def test_people_who_answered_and_then_left_still_count(world):
    before = figures(world)
    registration = world["in_b"][0].registrations.get()
    workgroup_services.withdraw(registration=registration)

    assert figures(world) == before


def test_erasing_a_person_keeps_their_answers_and_every_figure(world):
    before = figures(world)
    person = world["in_a"][0]

    erase_user(user=person)

    person.refresh_from_db()
    assert person.email.endswith("@erased.invalid")
    assert figures(world) == before


def test_no_survey_means_no_figures():
    found = impact.impact_for(ProjectFactory(), AcademicYearFactory())

    assert found["survey"] is None
    assert found["areas"] == []
    assert found["method"] == impact.METHOD


def test_figures_survive_being_stored_as_json(world):
    found = figures(world)

    assert json.loads(json.dumps(found)) == found


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_figures_cost_the_same_queries_for_more_hubs_groups_and_people(world):
    def call():
        return impact.impact_for(world["project"], world["year"])

    small = count_queries(call)
    for _ in range(2):
        group = group_with_sessions(-60, -1, project=world["project"], academic_year=world["year"])
        for n, user in enumerate(people(group, 10)):
            pair(user, group, START[n], END[n])
    large = count_queries(call)

    assert small == large <= 6


# The section of the report ---------------------------------------------------------------


def test_the_report_section_shows_the_chart_table_rates_and_method(world):
    html = render_to_string("surveys/_impact_section.html", {"impact": figures(world)})

    assert '<svg class="report-chart-svg"' in html
    assert 'role="img" aria-labelledby="impact-chart-title impact-chart-desc"' in html
    assert (
        escape("Teachers' professional learning") + ": g 0.91, from 0.55 to 1.27, 10 pairs" in html
    )
    assert "0.80 (0.50 to 1.10)" in html  # mean change and its interval
    assert "0.91 (0.55 to 1.27)" in html  # effect size and its interval
    assert "6 pairs: too few" in html
    assert '<th scope="row" class="fw-normal">North Maths Hub</th>' in html
    assert "92.3%" in html
    assert escape(impact.METHOD) in html


def test_the_report_section_says_when_too_few_answered_and_when_there_is_no_survey(world):
    south = render_to_string(
        "surveys/_impact_section.html", {"impact": figures(world, world["south"])}
    )
    none = render_to_string(
        "surveys/_impact_section.html",
        {"impact": impact.impact_for(ProjectFactory(), AcademicYearFactory())},
    )

    assert "Fewer than 10 pairs: not shown" in south
    assert "Fewer than 10 pairs (4): not shown" in south
    assert "<circle" not in south
    assert "had no participants' survey this year" in none


def test_dates_only_affect_which_groups_count_towards_response_rates(world):
    earlier = impact.impact_for(
        world["project"], world["year"], today=TODAY() - datetime.timedelta(days=10)
    )

    assert earlier["areas"] == figures(world)["areas"]
    assert all(row["end_participants"] == 0 for row in earlier["response_rates"])


def test_the_report_section_prints_in_the_pdf(world):
    from weasyprint import HTML

    section = render_to_string("surveys/_impact_section.html", {"impact": figures(world)})

    pdf = HTML(string=f"<!doctype html><html><body>{section}</body></html>").write_pdf()

    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5000


def test_the_csv_rows_hold_every_figure_and_only_pairs_where_too_few(world):
    rows = list(impact.csv_rows(figures(world)))

    practice = {
        measure: value
        for section, scope, item, measure, value in rows
        if scope == "All hubs" and item == "Practice development"
    }
    assert practice["pairs"] == 10
    assert practice["effect size (Hedges' g_av)"] == pytest.approx(HAND["effect_size"], abs=1e-5)
    assert practice["mean change, 95% CI low"] == pytest.approx(HAND["change_low"], abs=1e-5)
    south = [row for row in rows if row[1] == "South Maths Hub" and row[0] == "Impact"]
    assert {row[3] for row in south} == {"pairs"}
    assert ("Survey responses", "All hubs", "", "start rate", 92.3) in rows
    assert list(impact.csv_rows(None)) == []
