"""The catalogue shows every year not yet ended (hubs recruit next year's groups during this one),
filters by year, and sorts groups that meet in person by distance from the teacher's school."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.distance import in_miles
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    PlaceFactory,
    ProjectFactory,
    SchoolFactory,
    WorkGroupFactory,
)
from tests.projects.helpers import group, running_project, teacher, year
from workgroups.models import DeliveryMode, WorkGroupStatus

pytestmark = pytest.mark.django_db

URL = reverse("projects:list")


def this_year():
    return year()


def next_year():
    return AcademicYearFactory(start_year=this_year().starts_on.year + 1)


def ended_year():
    return AcademicYearFactory(start_year=this_year().starts_on.year - 1)


def slug(academic_year) -> str:
    return academic_year.label.replace("/", "-")


def titles(response):
    html = response.content.decode()
    return re.findall(r'<h3 class="h4 card-title"><a href="[^"]*">([^<]*)</a>', html)


def project_links(response):
    html = response.content.decode()
    return re.findall(r'<h3 class="h4 card-title"><a href="([^"]*)">', html)


def group_names(response):
    return re.findall(r'id="group-\d+"><a href="[^"]*">([^<]*)</a>', response.content.decode())


def project_in(*years, **kwargs):
    project = ProjectFactory(**kwargs)
    project.years.add(*years)
    return project


def next_years_group(project, **kwargs):
    return WorkGroupFactory(project=project, academic_year=next_year(), **kwargs)


# Years ----------------------------------------------------------------------------------------


def test_a_project_recruiting_only_for_next_year_is_listed_as_open_with_its_years(client):
    coming = project_in(next_year(), title="Next year project")
    next_years_group(coming)
    both = project_in(this_year(), next_year(), title="Both years")
    group(project=both, status=WorkGroupStatus.RUNNING)
    next_years_group(both)

    response = client.get(URL)

    assert titles(response) == ["Both years", "Next year project"]
    html = response.content.decode()
    assert html.count("Open for registration") == 2
    assert f"Work Groups in</strong> {this_year()} and {next_year()}</p>" in html
    assert f"Work Groups in</strong> {next_year()}</p>" in html
    assert f"Projects in {this_year()} and {next_year()}" in html
    assert "Not recruiting now" not in html


def test_the_year_filter_lists_that_years_projects_and_links_keep_the_year(client):
    now = running_project(title="This year only")
    group(project=now)
    coming = project_in(next_year(), title="Next year only")
    next_years_group(coming)

    for value in (slug(next_year()), next_year().label, str(next_year().pk)):
        response = client.get(URL, {"year": value})
        assert titles(response) == ["Next year only"]
    assert project_links(response) == [f"{coming.get_absolute_url()}?year={slug(next_year())}"]
    assert titles(client.get(URL, {"year": slug(this_year())})) == ["This year only"]
    assert titles(client.get(URL)) == ["Next year only", "This year only"]
    html = client.get(URL).content.decode()
    assert '<label class="form-label" for="id_year">Year</label>' in html
    assert '<option value="">All years open</option>' in html


def test_a_running_group_this_year_and_a_recruiting_one_next_year_make_the_project_open(client):
    project = running_project(title="Mastery")
    project.years.add(next_year())
    group(project=project, status=WorkGroupStatus.RUNNING)
    next_years_group(project, status=WorkGroupStatus.FULL)

    this = client.get(URL, {"year": slug(this_year())}).content.decode()
    coming = client.get(URL, {"year": slug(next_year())}).content.decode()

    assert "Not recruiting now" in this
    assert "Full: waiting list open" in coming
    assert titles(client.get(URL, {"open": "yes"})) == ["Mastery"]


def test_ended_years_are_not_listed_and_their_projects_are_not_found(client):
    running_project(title="Current")
    old = project_in(ended_year(), title="Ended")
    WorkGroupFactory(project=old, academic_year=ended_year())

    response = client.get(URL)
    filtered = client.get(URL, {"year": slug(ended_year())})

    assert titles(response) == ["Current"]
    assert str(ended_year()) not in response.content.decode()
    assert titles(filtered) == ["Current"]
    assert "That school year is not open for registration" in filtered.content.decode()
    assert client.get(old.get_absolute_url()).status_code == 404


HOSTILE_YEARS = [
    "<script>alert(1)</script>",
    "9999-00",
    "0",
    "-1",
    "2026/27' OR 1=1 --",
    "x" * 500,
    "%00",
    "\uff11\uff12",  # full-width digits
]


@pytest.mark.parametrize("value", HOSTILE_YEARS)
def test_a_year_that_is_not_open_is_ignored_with_a_message_on_both_pages(client, value):
    project = running_project(title="Still listed")
    group(project=project, name="Still shown")

    listing = client.get(URL, {"year": value})
    page = client.get(project.get_absolute_url(), {"year": value, "sort": value, "page": value})

    for response in (listing, page):
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
        assert "That school year is not open for registration" in response.content.decode()
    assert titles(listing) == ["Still listed"]
    assert group_names(page) == ["Still shown"]


def test_the_project_page_shows_each_open_years_groups_under_its_heading(client):
    project = running_project()
    project.years.add(next_year())
    group(project=project, name="Now group")
    next_years_group(project, name="Later group")
    ended = WorkGroupFactory(project=project, academic_year=ended_year(), name="Old group")

    every = client.get(project.get_absolute_url())
    later = client.get(project.get_absolute_url(), {"year": slug(next_year())})

    html = every.content.decode()
    assert group_names(every) == ["Now group", "Later group"]
    assert html.index(f'<h3 class="h4 mt-4">{this_year()}</h3>') < html.index("Now group")
    assert html.index("Now group") < html.index(f'<h3 class="h4 mt-4">{next_year()}</h3>')
    assert ended.name not in html
    assert group_names(later) == ["Later group"]
    assert f"Work Groups in {next_year()}" in later.content.decode()
    assert f'<option value="{slug(next_year())}" selected>' in later.content.decode()


def test_a_year_with_no_groups_says_so(client):
    project = running_project()
    project.years.add(next_year())
    group(project=project, name="Now group")

    response = client.get(project.get_absolute_url(), {"year": slug(next_year())})

    assert group_names(response) == []
    assert f"No Work Groups are running in {next_year()} yet." in response.content.decode()


# Distance -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metres", "said"),
    [
        (0, "Under a mile"),
        (1_600, "Under a mile"),
        (2_000, "About 1 mile"),
        (5_000, "About 3 miles"),  # 3.1 miles
        (20_000, "About 12 miles"),  # 12.4 miles
        (40_000, "About 25 miles"),  # 24.9 miles
        (None, ""),
    ],
)
def test_distances_are_said_as_people_say_them(metres, said):
    assert in_miles(metres) == said


def placed_school(name, easting, northing, **kwargs):
    return SchoolFactory(name=name, easting=easting, northing=northing, **kwargs)


def groups_around(project, hub=None, academic_year=None):
    """Groups next year at known distances from a school at (400000, 300000)."""
    hub = hub or HubFactory()
    academic_year = academic_year or next_year()

    def make(name, mode, venue_school):
        return WorkGroupFactory(
            project=project,
            academic_year=academic_year,
            hub=hub,
            name=name,
            delivery_mode=mode,
            venue_school=venue_school,
        )

    near = placed_school("Near Academy", 403_000, 304_000, town="Otley")  # 5,000 m
    far = placed_school("Far High School", 420_000, 300_000)  # 20,000 m
    make("Alpha online", DeliveryMode.ONLINE, near)
    make("Bravo far", DeliveryMode.BLENDED, far)
    make("Charlie near", DeliveryMode.FACE_TO_FACE, near)
    make("Delta unplaced", DeliveryMode.FACE_TO_FACE, SchoolFactory(name="Unplaced School"))
    make("Echo no venue", DeliveryMode.FACE_TO_FACE, None)


def test_nearest_first_puts_the_nearest_in_person_group_first_then_online_ones(client):
    project = project_in(next_year())
    groups_around(project)
    client.force_login(teacher(school=placed_school("Ashfield Primary", 400_000, 300_000)))

    response = client.get(project.get_absolute_url(), {"sort": "nearest"})

    assert group_names(response) == [
        "Charlie near",
        "Bravo far",
        "Alpha online",
        "Delta unplaced",
        "Echo no venue",
    ]
    html = response.content.decode()
    assert "About 3 miles from Ashfield Primary" in html
    assert "About 12 miles from Ashfield Primary" in html
    assert html.count("miles from Ashfield Primary") == 2  # not the online group
    assert "(in a straight line)" in html
    assert "Near Academy, Otley" in html
    assert 'value="nearest" selected' in html


def test_without_sorting_groups_come_by_region_and_still_show_their_distance(client):
    project = project_in(next_year())
    groups_around(project)
    client.force_login(teacher(school=placed_school("Ashfield Primary", 400_000, 300_000)))

    response = client.get(project.get_absolute_url())

    assert group_names(response)[:3] == ["Alpha online", "Bravo far", "Charlie near"]
    assert "About 3 miles from Ashfield Primary" in response.content.decode()


def test_the_year_and_the_sort_are_kept_together(client):
    project = project_in(this_year(), next_year())
    groups_around(project)
    group(project=project, name="This year's group")
    client.force_login(teacher(school=placed_school("Ashfield Primary", 400_000, 300_000)))

    response = client.get(
        project.get_absolute_url(), {"year": slug(next_year()), "sort": "nearest"}
    )

    assert group_names(response)[0] == "Charlie near"
    assert "This year's group" not in group_names(response)


def test_a_school_without_a_position_sees_no_distance_and_a_note_instead_of_sorting(client):
    project = project_in(next_year())
    groups_around(project)
    client.force_login(teacher(school=SchoolFactory(name="Nowhere Primary")))

    response = client.get(project.get_absolute_url(), {"sort": "nearest"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "miles from" not in html
    assert "We do not know where Nowhere Primary is" in html
    assert group_names(response)[:3] == ["Alpha online", "Bravo far", "Charlie near"]


def test_a_visitor_who_is_not_signed_in_is_asked_to_sign_in_to_sort_by_distance(client):
    project = project_in(next_year())
    groups_around(project)

    response = client.get(project.get_absolute_url(), {"sort": "nearest"})

    assert "miles from" not in response.content.decode()
    assert "Sign in, with your school in your profile" in response.content.decode()


def test_distances_are_not_shared_between_teachers_of_different_schools(client):
    project = project_in(next_year())
    groups_around(project)
    client.force_login(teacher(school=placed_school("Ashfield Primary", 400_000, 300_000)))
    client.get(project.get_absolute_url(), {"sort": "nearest"})
    client.force_login(teacher(school=placed_school("Beacon Primary", 420_000, 300_000)))

    response = client.get(project.get_absolute_url(), {"sort": "nearest"})

    assert group_names(response)[0] == "Bravo far"
    assert "Under a mile from Beacon Primary" in response.content.decode()
    assert "Ashfield" not in response.content.decode()


# Queries -------------------------------------------------------------------------------------


def grow(size, hub):
    for number in range(size):
        project = project_in(this_year(), next_year(), title=f"P{number}")
        group(project=project, hub=hub if number % 2 else HubFactory(), sessions=1)
        PlaceFactory(work_group=next_years_group(project, hub=hub))


def counts(client, url, query):
    query = {key: slug(next_year()) if value == "NEXT" else value for key, value in query.items()}
    cache.clear()
    found = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query).status_code == 200
        found.append(len(queries))
    return found


@pytest.mark.parametrize("query", [{}, {"year": "NEXT", "open": "yes"}])
def test_catalogue_queries_do_not_grow_with_projects_or_years(client, query):
    hub = HubFactory()
    client.force_login(teacher(school=placed_school("Ashfield", 400_000, 300_000, hub=hub)))
    grow(3, hub)
    small = counts(client, URL, query)
    grow(22, hub)

    assert counts(client, URL, query) == small


@pytest.mark.parametrize("query", [{}, {"sort": "nearest"}, {"year": "NEXT", "page": "2"}])
def test_project_page_queries_do_not_grow_with_groups(client, query):
    hub = HubFactory()
    client.force_login(teacher(school=placed_school("Ashfield", 400_000, 300_000, hub=hub)))
    project = project_in(this_year(), next_year())

    def more(size):
        for number in range(size):
            group(project=project, hub=hub if number % 2 else HubFactory(), sessions=1)
            groups_around(project, hub=hub if number % 3 else None)

    more(2)
    small = counts(client, project.get_absolute_url(), query)
    more(12)

    assert counts(client, project.get_absolute_url(), query) == small
