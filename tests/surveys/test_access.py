"""Who may answer and who may see averages; leads never see answers from fewer than five
people; every page costs the same queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Occasion
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    ProjectFactory,
)
from tests.surveys.helpers import answer, group_with_sessions, make_survey, pair, people
from tests.surveys.test_statistics import END, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    hub = HubFactory()
    group = group_with_sessions(-7, 60, project=project, academic_year=year, hub=hub)
    other_group = group_with_sessions(-7, 60, project=project, academic_year=year, hub=hub)
    other_hub = HubFactory()
    return {
        "group": group,
        "people": {
            "participant of the group": people(group, 1)[0],
            "participant of another group": people(other_group, 1)[0],
            "lead of the group": group.leads.get().user,
            "another lead": other_group.leads.get().user,
            "hub staff of the hub": HubMembershipFactory(hub=hub).user,
            "hub staff of another hub": HubMembershipFactory(hub=other_hub).user,
            "national team": NationalAdminFactory(),
            "anonymous": None,
        },
    }


ROLES = [
    "participant of the group",
    "participant of another group",
    "lead of the group",
    "another lead",
    "hub staff of the hub",
    "hub staff of another hub",
    "national team",
    "anonymous",
]
# What each role gets from each page: 302 for anonymous is the sign-in page.
MATRIX = {
    "my surveys": [200, 200, 200, 200, 200, 200, 200, 302],
    "start the survey": [302, 404, 404, 404, 404, 404, 404, 302],
    "a page of the survey": [200, 404, 404, 404, 404, 404, 404, 302],
    "save an answer (script)": [200, 404, 404, 404, 404, 404, 404, 302],
    "thank you page": [302, 404, 404, 404, 404, 404, 404, 302],
    "the group's averages": [404, 404, 200, 404, 200, 404, 200, 302],
}


def request(client, page, group):
    args = [group.pk, "start"]
    statement = group.project.surveys.get().statements.first()
    return {
        "my surveys": lambda: client.get(reverse("surveys:mine")),
        "start the survey": lambda: client.get(reverse("surveys:answer", args=args)),
        "a page of the survey": lambda: client.get(reverse("surveys:step", args=[*args, 1])),
        "save an answer (script)": lambda: client.post(
            reverse("surveys:autosave", args=args), {f"statement_{statement.pk}": "4"}
        ),
        "thank you page": lambda: client.get(reverse("surveys:done", args=args)),
        "the group's averages": lambda: client.get(
            reverse("surveys:group_summary", args=[group.pk])
        ),
    }[page]()


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, page, role):
    user = world["people"][role]
    if user is not None:
        client.force_login(user)

    response = request(client, page, world["group"])

    assert response.status_code == MATRIX[page][ROLES.index(role)]
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_ids_no_group_could_have_are_not_found(client, world, pk):
    client.force_login(world["people"]["national team"])

    assert client.get(f"/surveys/groups/{pk}/").status_code == 404
    assert client.get(f"/surveys/{pk}/start/1/").status_code == 404


# Averages only, and only of five or more -----------------------------------------------------


@pytest.fixture
def finished():
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    group = group_with_sessions(-60, -1, project=project, academic_year=year, name="Oak Group")
    return group, people(group, 12)


def summary_html(client, group):
    client.force_login(group.leads.get().user)
    return client.get(reverse("surveys:group_summary", args=[group.pk])).content.decode()


def evaluation_html(client, group):
    client.force_login(group.leads.get().user)
    return client.get(reverse("lead:evaluation", args=[group.pk])).content.decode()


def test_leads_never_see_answers_from_fewer_than_five_people(client, finished):
    group, users = finished
    for n, user in enumerate(users[:4]):
        pair(user, group, START[n], END[n])
    for user in users[4:10]:  # many answered once: still not five who answered both
        answer(user, group, Occasion.START, 5)

    for html in (summary_html(client, group), evaluation_html(client, group)):
        assert "What participants say" in html
        assert "10 answered at the start, 4 at the end, 4 both." in html
        assert "Averages appear once at least 5 people have answered both" in html
        assert '<table class="table table-sm caption-top mb-1">' not in html


def test_leads_see_start_and_end_averages_per_area_once_five_answered_both(client, finished):
    group, users = finished
    for n, user in enumerate(users[:5]):
        pair(user, group, START[n], END[n])
    answer(users[5], group, Occasion.START, 1)  # not a pair: left out of the averages

    for html in (summary_html(client, group), evaluation_html(client, group)):
        assert "of the 5 people who answered both" in html
        # START[:5] = 2, 3, 3, 2, 4 -> 2.8; END[:5] = 3, 4, 3, 3, 4 -> 3.4
        assert html.count('<td class="text-end">2.8</td><td class="text-end">3.4</td>') == 4
        assert "Teachers&#x27; professional learning" in html


def test_the_evaluation_page_shows_no_averages_to_who_may_not_see_them(client, finished):
    group, users = finished
    for n, user in enumerate(users[:6]):
        pair(user, group, START[n], END[n])
    client.force_login(HubMembershipFactory(hub=group.hub).user)
    assert (
        "What participants say"
        in client.get(reverse("lead:evaluation", args=[group.pk])).content.decode()
    )

    # An LLME of the hub who does not lead this group is not shown the page at all.
    client.force_login(LLMEFactory(hub=group.hub).user)
    assert client.get(reverse("lead:evaluation", args=[group.pk])).status_code == 404


# Query counts at two sizes ------------------------------------------------------------------


def count_queries(client, url, method="get", data=None):
    getattr(client, method)(url, data or {})  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code < 400, response.status_code
    return len(queries)


def test_my_surveys_costs_the_same_queries_for_more_groups(client):
    year, project = AcademicYearFactory(), ProjectFactory()
    make_survey(project, year)
    teacher = people(group_with_sessions(-7, 60, project=project, academic_year=year), 1)[0]
    client.force_login(teacher)
    small = count_queries(client, reverse("surveys:mine"))
    for _ in range(4):
        group = group_with_sessions(-60, -2, project=project, academic_year=year)
        registration = people(group, 1)[0].registrations.get()
        registration.user = teacher
        registration.save()
        answer(teacher, group, Occasion.START, 3)

    large = count_queries(client, reverse("surveys:mine"))

    assert small == large <= 10


def test_survey_pages_cost_what_they_cost_at_one_statement_an_area_at_three(client):
    counts = {}
    for per_area in (1, 3):
        year, project = AcademicYearFactory(), ProjectFactory()
        make_survey(project, year, per_area=per_area)
        group = group_with_sessions(-7, 60, project=project, academic_year=year)
        teacher = people(group, 1)[0]
        people(group, 10 * per_area)
        answer(teacher, group, Occasion.START, 3, submit=False)
        client.force_login(teacher)
        statement = group.project.surveys.get().statements.first()
        counts[per_area] = {
            "page": count_queries(client, reverse("surveys:step", args=[group.pk, "start", 2])),
            "start": count_queries(client, reverse("surveys:answer", args=[group.pk, "start"])),
            "script": count_queries(
                client,
                reverse("surveys:autosave", args=[group.pk, "start"]),
                "post",
                {f"statement_{statement.pk}": "4"},
            ),
        }

    assert counts[1] == counts[3]
    assert counts[1]["page"] <= 10
    assert counts[1]["start"] <= 10


def test_the_averages_page_costs_the_same_queries_for_more_people(client, finished):
    group, users = finished
    for n, user in enumerate(users[:5]):
        pair(user, group, START[n], END[n])
    client.force_login(group.leads.get().user)
    url = reverse("surveys:group_summary", args=[group.pk])
    small = count_queries(client, url)
    for n, user in enumerate(users[5:]):
        pair(user, group, START[n], END[n])

    large = count_queries(client, url)

    assert small == large <= 10
