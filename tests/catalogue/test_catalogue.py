import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import ActivityType, Recruitment
from tests.factories import AcademicYearFactory, HubFactory, ProjectFactory, phase, region
from tests.projects.helpers import group, running_project
from workgroups.models import DeliveryMode, WorkGroupStatus

pytestmark = pytest.mark.django_db

URL = reverse("projects:list")


def titles(response):
    """The projects listed, as a reader sees them."""
    html = response.content.decode()
    return re.findall(r'<h3 class="h4 card-title"><a href="[^"]*">([^<]*)</a>', html)


def test_catalogue_lists_only_the_current_years_projects(client):
    running_project(title="Mastery Readiness")
    old = ProjectFactory(title="Last year's project")
    old.years.add(AcademicYearFactory(start_year=2001))

    response = client.get(URL)

    assert titles(response) == ["Mastery Readiness"]


def test_card_shows_type_phases_who_it_is_for_roles_and_open_badge(client):
    prior = running_project(title="Development")
    project = running_project(
        title="Sustaining",
        recruitment=Recruitment.PRIOR_PARTICIPATION,
        roles=[("Maths lead", 1), ("Class teacher", 2)],
    )
    project.prerequisites.add(prior)
    project.phases.add(phase("primary"))
    group(project=project)

    html = client.get(URL, {"q": "Sustaining"}).content.decode()

    assert "Work Group" in html
    assert "Primary" in html
    assert "For state-funded schools in England that have completed Development." in html
    assert "maths lead (up to 1), class teacher (up to 2)" in html
    assert "Open for registration" in html


def test_project_without_a_recruiting_group_is_shown_as_not_recruiting(client):
    project = running_project(title="Closed project")
    group(project=project, status=WorkGroupStatus.RUNNING)
    group(
        project=project,
        recruitment_closes=timezone.localdate() - datetime.timedelta(days=1),
    )

    html = client.get(URL).content.decode()

    assert "Not recruiting now" in html
    assert "Open for registration" not in html


def test_filters_combine_on_the_same_group(client):
    north, south = HubFactory(name="North Hub"), HubFactory(name="South Hub")
    both = running_project(title="Both")
    group(project=both, hub=north, delivery_mode=DeliveryMode.ONLINE)
    group(project=both, hub=south, delivery_mode=DeliveryMode.FACE_TO_FACE)
    online_south = running_project(title="Online South")
    group(project=online_south, hub=south, delivery_mode=DeliveryMode.ONLINE)

    response = client.get(URL, {"mode": "online", "hub": south.slug})

    assert titles(response) == ["Online South"]


def test_filter_by_region_phase_type_and_text(client):
    london_hub = HubFactory(region=region("London"))
    wanted = running_project(
        title="Secondary Mastery", code="NCP26-07", activity_type=ActivityType.PROGRAMME
    )
    wanted.phases.add(phase("secondary"))
    group(project=wanted, hub=london_hub)
    other = running_project(title="Secondary elsewhere", activity_type=ActivityType.PROGRAMME)
    other.phases.add(phase("secondary"))
    group(project=other)

    response = client.get(
        URL,
        {
            "region": "H",
            "phase": "secondary",
            "activity_type": "programme",
            "q": "ncp26-07",
        },
    )

    assert titles(response) == ["Secondary Mastery"]


def test_search_finds_words_in_the_summary(client):
    running_project(title="Alpha", summary="Fractions in Year 5")
    running_project(title="Beta", summary="Early number sense")

    assert titles(client.get(URL, {"q": "fractions"})) == ["Alpha"]


@pytest.mark.parametrize(
    "query",
    [
        {"phase": "<script>alert(1)</script>"},
        {"page": "abc"},
        {"page": "9999"},
        {"page": "-1"},
        {"mode": "teleport", "hub": "nowhere", "region": "ZZ", "activity_type": "x"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_give_a_normal_page(client, query):
    running_project(title="Still listed")

    response = client.get(URL, query)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_an_invalid_filter_is_dropped_and_the_valid_ones_still_apply(client):
    running_project(title="Alpha", activity_type=ActivityType.COMMUNITY)
    running_project(title="Beta")

    response = client.get(URL, {"activity_type": "community", "phase": "<script>"})

    assert titles(response) == ["Alpha"]


def test_pagination_keeps_the_filters_in_its_links(client):
    for number in range(25):
        running_project(title=f"Community {number:02d}", activity_type=ActivityType.COMMUNITY)
    running_project(title="A Work Group project")

    first = client.get(URL, {"activity_type": "community"})
    second = client.get(URL, {"activity_type": "community", "page": "2"})

    assert "?activity_type=community&amp;page=2" in first.content.decode()
    assert len(titles(second)) == 5
    assert all(title.startswith("Community") for title in titles(second))


def test_page_beyond_the_end_shows_the_last_page(client):
    for number in range(21):
        running_project(title=f"Project {number:02d}")

    response = client.get(URL, {"page": "9999"})

    assert "Page 2 of 2" in response.content.decode()


def build_catalogue(size):
    hub = HubFactory()
    for number in range(size):
        project = running_project(title=f"P{number}", recruitment=Recruitment.PRIOR_PARTICIPATION)
        project.phases.add(phase("primary"), phase("secondary"))
        project.eligible_hubs.add(hub)
        project.prerequisites.add(ProjectFactory())
        group(project=project, hub=hub)


def count_queries(client, query):
    """Queries with nothing cached, then with the results cached."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, query).status_code == 200
        counts.append(len(queries))
    return counts


@pytest.mark.parametrize("query", [{}, {"mode": "face_to_face", "phase": "primary"}])
def test_catalogue_queries_do_not_grow_with_the_number_of_projects(client, query):
    build_catalogue(3)
    small = count_queries(client, query)
    build_catalogue(17)

    assert count_queries(client, query) == small


def test_a_full_groups_open_waiting_list_is_shown_and_the_open_filter_finds_it(client):
    open_project = running_project(title="Alpha open")
    group(project=open_project)
    full_project = running_project(title="Beta full")
    group(project=full_project, status=WorkGroupStatus.FULL)
    closed_project = running_project(title="Gamma running")
    group(project=closed_project, status=WorkGroupStatus.RUNNING)

    everything = client.get(URL)
    only_open = client.get(URL, {"open": "yes"})

    assert titles(everything) == ["Alpha open", "Beta full", "Gamma running"]
    assert "Full: waiting list open" in everything.content.decode()
    assert titles(only_open) == ["Alpha open", "Beta full"]
    assert "match your filters" in only_open.content.decode()
    assert titles(client.get(URL, {"open": "<script>"})) == titles(everything)
