"""A teacher finds next year's group nearest their school in the catalogue, and registers."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import AcademicYearFactory, HubFactory, SchoolFactory, WorkGroupFactory
from tests.projects.helpers import PASSWORD, group, running_project, teacher, year
from workgroups.models import DeliveryMode, Place, WorkGroupStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def build_world():
    home = HubFactory(name="Enigma Maths Hub")
    elsewhere = HubFactory(name="White Rose Maths Hub")
    this_year = year()
    next_year = AcademicYearFactory(start_year=this_year.starts_on.year + 1)
    project = running_project(
        title="Mastery Readiness",
        summary="Build the foundations for teaching for mastery in Reception and Key Stage 1.",
    )
    project.years.add(next_year)
    group(project=project, hub=home, name="This year's group", status=WorkGroupStatus.RUNNING)
    other = running_project(title="Secondary Specialist Programme")
    group(project=other, hub=home, delivery_mode=DeliveryMode.ONLINE)

    def next_years(name, mode, venue_school):
        return WorkGroupFactory(
            project=project,
            academic_year=next_year,
            hub=elsewhere,
            name=name,
            delivery_mode=mode,
            venue_school=venue_school,
        )

    near = SchoolFactory(
        name="Otley Riverside Primary", town="Otley", easting=433_000, northing=437_000
    )  # 5 km from the teacher's school: about 3 miles
    far = SchoolFactory(
        name="Bradford Moor Academy", town="Bradford", easting=450_000, northing=433_000
    )  # 20 km: about 12 miles
    next_years("Aire Valley online Work Group", DeliveryMode.ONLINE, None)
    next_years("Bradford Work Group", DeliveryMode.BLENDED, far)
    nearest = next_years("Wharfedale Work Group", DeliveryMode.FACE_TO_FACE, near)
    school = SchoolFactory(name="Oakfield Primary", hub=home, easting=430_000, northing=433_000)
    return {
        "teacher": teacher(school=school, verified=True, first_name="Amira"),
        "next_year": next_year,
        "nearest": nearest,
    }


def look(page, shoot, axe_check, name):
    axe_check(name)
    shoot(f"catalogue-year-{name}")


def test_a_teacher_finds_next_years_nearest_group_and_registers(
    page, live_server, shoot, axe_check
):
    world = build_world()
    next_year, nearest = world["next_year"], world["nearest"]

    sign_in(page, live_server, world["teacher"].email, PASSWORD, "/projects/")
    page.wait_for_url("**/projects/")
    look(page, shoot, axe_check, "catalogue")

    page.get_by_label("Year").select_option(label=next_year.label)
    page.get_by_role("button", name="Show projects").click()
    expect(page.get_by_role("heading", name="1 project match your filters")).to_be_visible()
    expect(page.get_by_text("Open for registration")).to_be_visible()
    look(page, shoot, axe_check, "catalogue-next-year")

    page.get_by_role("link", name="Mastery Readiness").click()
    page.wait_for_url(re.compile(r"year=\d{4}-\d{2}"))
    expect(page.get_by_role("heading", name=f"Work Groups in {next_year.label}")).to_be_visible()
    expect(page.get_by_text("This year's group")).to_have_count(0)

    page.get_by_label("Sort").select_option(label="Nearest first")
    page.get_by_role("button", name="Show Work Groups").click()
    page.wait_for_url(re.compile(r"sort=nearest"))
    cards = page.locator("article.card")
    expect(cards.first.get_by_role("heading")).to_have_text("Wharfedale Work Group")
    expect(cards.first).to_contain_text("About 3 miles from Oakfield Primary")
    expect(cards.first).to_contain_text("Otley Riverside Primary, Otley")
    expect(cards.nth(1)).to_contain_text("About 12 miles from Oakfield Primary")
    expect(cards.nth(2).get_by_role("heading")).to_have_text("Aire Valley online Work Group")
    look(page, shoot, axe_check, "project-nearest")

    cards.first.get_by_role("link", name="Wharfedale Work Group").click()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/groups/mine/")
    expect(page.get_by_text("Wharfedale Work Group").first).to_be_visible()
    assert Place.objects.filter(work_group=nearest, school__name="Oakfield Primary").exists()
    look(page, shoot, axe_check, "registered")
