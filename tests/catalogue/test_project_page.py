import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Interest, OutcomeArea, Recruitment
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    OfferFactory,
    PlaceFactory,
    ProjectFactory,
    SchoolFactory,
    region,
)
from tests.projects.helpers import group, running_project, teacher, year
from workgroups import services
from workgroups.models import DeliveryMode, WorkGroupStatus

pytestmark = pytest.mark.django_db


def group_names(response):
    """The groups listed, in order, as a reader sees them."""
    return re.findall(r'id="group-\d+"><a href="[^"]*">([^<]*)</a>', response.content.decode())


def test_project_page_explains_who_it_is_for_and_the_outcomes(client):
    development = running_project(title="Development")
    project = running_project(
        title="Sustaining",
        recruitment=Recruitment.PRIOR_PARTICIPATION,
        requires_approval=True,
        roles=[("Maths lead", 1)],
    )
    project.prerequisites.add(development)
    project.outcome_areas.add(
        OutcomeArea.objects.get_or_create(code="pupils", defaults={"name": "Pupils' learning"})[0]
    )

    html = client.get(project.get_absolute_url()).content.decode()

    assert "that have completed Development." in html
    assert "The hub approves each school&#x27;s place." in html
    assert "Maths lead: up to 1 per school" in html
    assert "Pupils&#x27; learning" in html


def test_groups_of_the_teachers_hub_come_first_with_mode_venue_dates_and_places(client):
    mine, other = HubFactory(name="Zeta Hub"), HubFactory(name="Alpha Hub")
    project = running_project()
    group(project=project, hub=other, name="Alpha group")
    near = group(
        project=project,
        hub=mine,
        name="Zeta group",
        capacity=3,
        delivery_mode=DeliveryMode.BLENDED,
        venue="Leeds Civic Hall",
        sessions=2,
    )
    PlaceFactory(work_group=near)
    user = teacher(school=SchoolFactory(hub=mine))
    client.force_login(user)

    response = client.get(project.get_absolute_url())

    assert group_names(response) == ["Zeta group", "Alpha group"]
    html = response.content.decode()
    assert "Blended, Leeds Civic Hall" in html
    assert "2 of 3" in html
    assert near.sessions.first().starts_at.strftime("%-d %b %Y") in html


def test_draft_and_other_years_groups_are_not_listed(client):
    project = running_project()
    group(project=project, name="Draft group", status=WorkGroupStatus.DRAFT)
    group(project=project, name="Live group")

    response = client.get(project.get_absolute_url())

    assert group_names(response) == ["Live group"]


def test_project_not_running_this_year_is_not_found(client):
    year()
    old = ProjectFactory()
    old.years.add(AcademicYearFactory(start_year=2001))

    assert client.get(old.get_absolute_url()).status_code == 404


def test_hub_with_no_offer_is_named_with_its_contact(client):
    hub = HubFactory(name="Enigma Maths Hub", contact_email="hello@enigma.example")
    project = running_project()
    client.force_login(teacher(school=SchoolFactory(hub=hub)))

    html = client.get(project.get_absolute_url()).content.decode()

    assert "Enigma Maths Hub is not offering this project this year." in html
    assert "mailto:hello@enigma.example" in html


def test_teacher_registers_interest_with_their_hubs_offer(client):
    hub = HubFactory(name="Enigma Maths Hub")
    project = running_project()
    offer = OfferFactory(project=project, hub=hub, academic_year=year())
    user = teacher(school=SchoolFactory(hub=hub))
    client.force_login(user)

    response = client.post(
        f"{project.get_absolute_url()}interest/", {"note": "<b>After Easter</b>"}, follow=True
    )

    interest = Interest.objects.get()
    assert (interest.offer, interest.user, interest.school) == (offer, user, user.school)
    assert interest.note == "<b>After Easter</b>"
    html = response.content.decode()
    assert "Enigma Maths Hub knows you are interested" in html
    assert "You have told Enigma Maths Hub you are interested" in html


def test_interest_twice_is_refused_with_a_message_and_saves_nothing_more(client):
    hub = HubFactory()
    project = running_project()
    OfferFactory(project=project, hub=hub, academic_year=year())
    client.force_login(teacher(school=SchoolFactory(hub=hub)))
    url = f"{project.get_absolute_url()}interest/"
    client.post(url, {"note": ""})

    response = client.post(url, {"note": ""})

    assert response.status_code == 200
    assert "already told" in response.content.decode()
    assert Interest.objects.count() == 1


def test_too_long_interest_note_is_refused_next_to_the_field(client):
    hub = HubFactory()
    project = running_project()
    OfferFactory(project=project, hub=hub, academic_year=year())
    client.force_login(teacher(school=SchoolFactory(hub=hub)))

    response = client.post(f"{project.get_absolute_url()}interest/", {"note": "x" * 501})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "at most 500 characters" in response.content.decode()
    assert not Interest.objects.exists()


def test_interest_without_an_offer_is_refused(client):
    project = running_project()
    client.force_login(teacher())

    response = client.post(f"{project.get_absolute_url()}interest/", {"note": ""})

    assert "is not offering" in response.content.decode()
    assert not Interest.objects.exists()


def test_interest_needs_sign_in_and_a_complete_profile(client):
    project = running_project()
    url = f"{project.get_absolute_url()}interest/"

    assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(teacher(first_name=""))
    assert "/me/profile/" in client.post(url)["Location"]


def build_groups(project, hub, size):
    for number in range(size):
        work_group = group(project=project, hub=hub if number % 2 else HubFactory(), sessions=2)
        PlaceFactory(work_group=work_group)


def count(client, url):
    """Queries with nothing cached, then with the page's fragments cached."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def test_project_page_queries_do_not_grow_with_the_number_of_groups(client):
    hub = HubFactory()
    project = running_project()
    OfferFactory(project=project, hub=hub, academic_year=year())
    client.force_login(teacher(school=SchoolFactory(hub=hub)))
    build_groups(project, hub, 3)
    small = count(client, project.get_absolute_url())
    build_groups(project, hub, 27)

    assert count(client, project.get_absolute_url()) == small


def test_hub_running_a_group_but_without_an_offer_gives_its_contact(client):
    hub = HubFactory(name="Enigma Maths Hub", contact_email="hello@enigma.example")
    project = running_project()
    group(project=project, hub=hub)
    client.force_login(teacher(school=SchoolFactory(hub=hub)))

    html = client.get(project.get_absolute_url()).content.decode()

    assert "You cannot register interest online with Enigma Maths Hub" in html
    assert "mailto:hello@enigma.example" in html


def test_a_long_list_of_groups_comes_a_page_at_a_time_by_region(client):
    project = running_project()
    london = HubFactory(name="Capital Maths Hub", region=region("London"))
    yorkshire = HubFactory(name="White Rose Maths Hub")
    for number in range(22):
        group(project=project, hub=london if number % 2 else yorkshire, name=f"Group {number:02d}")
    this_year = year().label.replace("/", "-")

    every_year = client.get(project.get_absolute_url()).content.decode()
    first = client.get(project.get_absolute_url(), {"year": this_year}).content.decode()
    second = client.get(project.get_absolute_url(), {"year": this_year, "page": "2"})

    assert len(group_names_in(every_year)) == 20
    assert f'href="?year={this_year}#groups">See all 22 Work Groups in {year()}</a>' in every_year
    assert len(group_names_in(first)) == 20
    assert len(group_names_in(second.content.decode())) == 2
    assert first.index('<h4 class="h5 mt-3">London</h4>') < first.index("Yorkshire and the Humber")
    assert "22 Work Groups run by other hubs" not in first  # nobody's hub: every group counts
    assert "22 Work Groups, by region: 1 to 20." in first
    assert f'href="?year={this_year}&amp;page=2#groups">Next page</a>' in first
    assert 'aria-label="Pages of groups"' in second.content.decode()


def test_each_group_shows_a_summary_of_its_sessions_not_every_date(client):
    project = running_project()
    work_group = group(project=project, sessions=3)
    first, _, last = work_group.sessions.order_by("starts_at")
    services.cancel_session(session=last)

    html = client.get(project.get_absolute_url()).content.decode()

    start = timezone.localtime(first.starts_at).strftime("%-d %b %Y")
    assert f"2 sessions, {start} to " in html
    assert "(1 cancelled)" in html


def group_names_in(html):
    return re.findall(r'id="group-\d+"><a href="[^"]*">([^<]*)</a>', html)
