"""A teacher's journey: find a project, check eligibility, register, withdraw, calendar."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import HubFactory, SchoolFactory, SessionRecordFactory, phase
from tests.projects.helpers import PASSWORD, group, running_project, teacher
from workgroups import services
from workgroups.models import DeliveryMode, Registration

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def build_world():
    hub = HubFactory(name="Enigma Maths Hub", contact_email="hello@enigma.example")
    project = running_project(
        title="Mastery Readiness",
        summary="Build the foundations for teaching for mastery in Reception and Key Stage 1.",
        roles=[("Lead participant", 2)],
    )
    project.phases.add(phase("primary"))
    other = running_project(title="Secondary Specialist Programme")
    other.phases.add(phase("secondary"))
    group(project=other, hub=hub, delivery_mode=DeliveryMode.ONLINE)
    work_group = group(
        project=project,
        hub=hub,
        name="Leeds Mastery Readiness Work Group",
        capacity=1,
        venue="Leeds Civic Hall",
        sessions=3,
    )
    SessionRecordFactory(session=work_group.sessions.order_by("number").first())
    first_school = SchoolFactory(name="Oakfield Primary", hub=hub)
    return {
        "group": work_group,
        "first": teacher(school=first_school, verified=True, first_name="Amira"),
        "colleague": teacher(school=first_school, verified=True, first_name="Ben"),
        "waiting": teacher(school=SchoolFactory(name="Birchwood Primary", hub=hub), verified=True),
        "independent": teacher(
            school=SchoolFactory(name="Grange Independent School", is_state_funded=False),
            verified=True,
        ),
    }


def as_user(page, live_server, user, next_url):
    page.context.clear_cookies()
    sign_in(page, live_server, user.email, PASSWORD, next_url)
    page.wait_for_url(f"**{next_url}")


def look(page, shoot, axe_check, name):
    axe_check(name)
    shoot(f"teacher-{name}")


def register_on_group_page(page):
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/groups/mine/")


def test_teacher_journey(page, live_server, shoot, axe_check):
    world = build_world()
    work_group = world["group"]

    # Find the project through the catalogue's filters.
    as_user(page, live_server, world["first"], "/projects/")
    look(page, shoot, axe_check, "catalogue")
    page.get_by_label("Phase").select_option("primary")
    page.get_by_label("Delivery").select_option("face_to_face")
    page.get_by_role("button", name="Show projects").click()
    expect(page.get_by_role("heading", name="1 project match your filters")).to_be_visible()
    assert "phase=primary" in page.url
    look(page, shoot, axe_check, "catalogue-filtered")

    page.get_by_role("link", name="Mastery Readiness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mastery Readiness")
    look(page, shoot, axe_check, "project")

    page.get_by_role("link", name=work_group.name).click()
    expect(page.get_by_text("You and Oakfield Primary can register")).to_be_visible()
    look(page, shoot, axe_check, "group-eligible")
    register_on_group_page(page)
    expect(page.get_by_text("your school's place is confirmed")).to_be_visible()
    look(page, shoot, axe_check, "my-registrations-confirmed")

    session = work_group.sessions.order_by("number").first()
    page.goto(f"{live_server.url}/groups/sessions/{session.pk}/")
    expect(page.get_by_text("The task your lead set")).to_be_visible()
    look(page, shoot, axe_check, "session")

    # A colleague joins the school's place.
    as_user(page, live_server, world["colleague"], work_group.get_absolute_url())
    register_on_group_page(page)
    page.goto(f"{live_server.url}{work_group.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Your school's place")).to_be_visible()
    look(page, shoot, axe_check, "group-school-place")
    page.get_by_role("link", name="Open your school's place").click()
    look(page, shoot, axe_check, "place")

    # Another school joins the waiting list of the now-full group.
    as_user(page, live_server, world["waiting"], work_group.get_absolute_url())
    expect(
        page.get_by_text("It is full, so your school will join the waiting list")
    ).to_be_visible()
    page.get_by_role("button", name="Register for the waiting list").click()
    page.wait_for_url("**/groups/mine/")
    expect(page.get_by_text("on the waiting list in position 1")).to_be_visible()
    look(page, shoot, axe_check, "my-registrations-waitlisted")

    # The first school withdraws: colleague first, then the teacher through the site.
    services.withdraw(registration=Registration.objects.get(user=world["colleague"]))
    as_user(page, live_server, world["first"], "/groups/mine/")
    page.get_by_role("link", name=f"Withdraw from {work_group.name}").click()
    expect(page.get_by_text("Are you sure you want to withdraw?")).to_be_visible()
    look(page, shoot, axe_check, "withdraw")
    page.get_by_role("button", name="Yes, withdraw").click()
    expect(page.get_by_text(f"You have withdrawn from {work_group.name}")).to_be_visible()

    # The waitlisted school is promoted, and its teacher sees it.
    as_user(page, live_server, world["waiting"], "/groups/mine/")
    place = page.locator("article", has_text=work_group.name)
    expect(place.get_by_text("Confirmed", exact=True)).to_be_visible()
    look(page, shoot, axe_check, "my-registrations-promoted")

    page.goto(f"{live_server.url}{work_group.get_absolute_url()}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add these dates to your calendar (.ics)").click()
    ics = download_info.value.path().read_bytes().decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == 3
    assert f"SUMMARY:{work_group.name}: session 1" in ics.replace("\r\n ", "")

    page.goto(f"{live_server.url}/groups/mine/")
    feed = page.request.get(page.locator("#feed-url").input_value())
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.text().count("BEGIN:VEVENT") == 3

    # A teacher at an independent school sees why not, and no register button.
    as_user(page, live_server, world["independent"], work_group.get_absolute_url())
    expect(page.get_by_text("Grange Independent School is not state-funded")).to_be_visible()
    expect(page.get_by_role("button", name="Register")).to_have_count(0)
    look(page, shoot, axe_check, "group-ineligible")
