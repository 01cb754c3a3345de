"""Reach across projects: each area's share of state-funded schools engaged, worked by hand;
who sees which areas; the CSV; a hub's projects side by side."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from evaluations.reports import reach, services
from participants.models import SchoolStatus
from tests.evaluations.report_factories import busy_group
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    HubMembershipFactory,
    LocalAuthorityFactory,
    NationalAdminFactory,
    PlaceFactory,
    ProjectFactory,
    SchoolFactory,
    WorkGroupFactory,
    region,
)
from workgroups.models import PlaceStatus, WorkGroupStatus

pytestmark = pytest.mark.django_db
DONE, CONFIRMED = PlaceStatus.COMPLETED, PlaceStatus.CONFIRMED


@pytest.fixture
def areas():
    """Two years; North (Leeds, York) and South (Camden); schools opening, closing and not
    state-funded; places in completed, running and cancelled groups."""
    this = AcademicYearFactory()
    last = AcademicYearFactory(start_year=this.starts_on.year - 1)
    north, south = HubFactory(name="North Maths Hub"), HubFactory(name="South Maths Hub")
    leeds = LocalAuthorityFactory(name="Leeds", hub=north)
    york = LocalAuthorityFactory(name="York", hub=north)
    camden = LocalAuthorityFactory(name="Camden", hub=south, region=region("London"))
    s = {}
    for name, la, phase, extra in (
        ("L1", leeds, "primary", {}),
        ("L2", leeds, "primary", {}),
        ("L3", leeds, "secondary", {}),
        ("L4", leeds, "primary", {"opened_on": this.starts_on + datetime.timedelta(days=30)}),
        ("L5", leeds, "primary", {"closed_on": last.ends_on - datetime.timedelta(days=10),
                                  "status": SchoolStatus.CLOSED}),
        ("L6", leeds, "primary", {"is_state_funded": False}),
        ("Y1", york, "primary", {}),
        ("Y2", york, "secondary", {}),
        ("C1", camden, "primary", {}),
        ("C2", camden, "primary", {}),
        ("C3", camden, "all_through", {}),
    ):  # fmt: skip
        s[name] = SchoolFactory(name=name, local_authority=la, phase=phase, **extra)
    s["N1"] = SchoolFactory(name="N1", local_authority=None, hub=None, region=region())

    project = ProjectFactory()

    def group(year, status, *places):
        work_group = WorkGroupFactory(project=project, academic_year=year, hub=north, status=status)
        for school, place_status in places:
            PlaceFactory(work_group=work_group, school=s[school], status=place_status)

    # Last year: L1, L5 (closed since) and C1 (South's school, in North's group) completed;
    # L6 completed too, but is not state-funded.
    group(last, WorkGroupStatus.COMPLETED, ("L1", DONE), ("L5", DONE), ("L6", DONE), ("C1", DONE))
    # This year: L2 (in two groups), L3 and L4 completed; L1 and Y2 have places in a running
    # group; C3 withdrew; C2's group was cancelled.
    group(this, WorkGroupStatus.COMPLETED, ("L2", DONE), ("L3", DONE), ("L4", DONE))
    group(this, WorkGroupStatus.COMPLETED, ("L2", DONE))
    group(this, WorkGroupStatus.RUNNING, ("L1", CONFIRMED), ("Y2", CONFIRMED),
          ("C3", PlaceStatus.WITHDRAWN))  # fmt: skip
    group(this, WorkGroupStatus.CANCELLED, ("C2", CONFIRMED))
    return {"this": this, "last": last, "north": north, "south": south, "project": project}


def shares(rows):
    return {row["name"]: [(y["schools"], y["engaged"], y["share"]) for y in row["by_year"]]
            for row in rows}  # fmt: skip


def test_shares_of_schools_engaged_by_year_hub_and_authority(areas):
    figures = reach.collate([areas["last"], areas["this"]])

    # Open state-funded schools: last year all but L4 (not open yet) and L6; this year all but
    # L5 (closed) and L6. Engaged: last year L1 L5 C1; this year L2 L3 L4.
    national = figures["national"]["by_year"]
    assert [(y["schools"], y["engaged"], y["share"], y["taking_part"]) for y in national] == [
        (10, 3, 30.0, 3),
        (10, 3, 30.0, 5),
    ]
    assert shares(figures["hubs"]) == {
        "North Maths Hub": [(6, 2, 33.3), (6, 3, 50.0)],
        "South Maths Hub": [(3, 1, 33.3), (3, 0, 0.0)],
        "Not in a hub's area": [(1, 0, 0.0), (1, 0, 0.0)],
    }
    assert shares(figures["authorities"]) == {
        "Camden": [(3, 1, 33.3), (3, 0, 0.0)],
        "Leeds": [(4, 2, 50.0), (4, 3, 75.0)],
        "York": [(2, 0, 0.0), (2, 0, 0.0)],
        "No local authority recorded": [(1, 0, 0.0), (1, 0, 0.0)],
    }
    assert [row["hub"] for row in figures["authorities"]] == [
        "South Maths Hub", "North Maths Hub", "North Maths Hub", "Not in a hub's area",
    ]  # fmt: skip


def test_shares_by_phase_in_the_chosen_year(areas):
    figures = reach.collate([areas["last"], areas["this"]])

    by_phase = {row["phase"]: (row["schools"], row["engaged"], row["share"])
                for row in figures["national"]["by_phase"]}  # fmt: skip
    # Primary: L1 L2 L4 Y1 C1 C2 N1 (L2, L4 engaged); secondary: L3 Y2 (L3); all-through: C3.
    assert by_phase == {
        "Primary": (7, 2, 28.6),
        "Secondary": (2, 1, 50.0),
        "All-through": (1, 0, 0.0),
        "Other phases": (0, 0, None),
    }
    north = next(row for row in figures["hubs"] if row["name"] == "North Maths Hub")
    assert [(row["phase"], row["share"]) for row in north["by_phase"]] == [
        ("Primary", 50.0), ("Secondary", 50.0), ("All-through", None), ("Other phases", None),
    ]  # fmt: skip


def test_the_years_shown_end_with_the_chosen_one(areas):
    years = [areas["last"], areas["this"], AcademicYearFactory(start_year=2040)]

    assert reach.years_to(areas["this"], years) == [areas["last"], areas["this"]]


def test_hub_staff_see_their_hub_and_its_authorities_beside_england(client, areas):
    client.force_login(HubMembershipFactory(hub=areas["north"]).user)

    response = client.get(reverse("reports:reach"), {"year": areas["this"].pk})

    text = response.content.decode()
    assert "North Maths Hub" in text
    assert "Leeds" in text
    assert "York" in text
    assert "South Maths Hub" not in text
    assert "Camden" not in text
    assert "3 of 10 state-funded schools engaged" in text
    assert 'aria-labelledby="chart-reach-years-title"' in text


def test_the_national_team_sees_every_hub_and_authority(client, areas):
    client.force_login(NationalAdminFactory())

    text = client.get(reverse("reports:reach"), {"year": areas["this"].pk}).content.decode()

    for name in ("North Maths Hub", "South Maths Hub", "Leeds", "York", "Camden"):
        assert name in text
    assert 'aria-labelledby="chart-reach-hubs-title"' in text


def test_the_reach_csv_has_every_area_year_and_phase(client, areas):
    client.force_login(NationalAdminFactory())

    response = client.get(reverse("reports:reach_csv"), {"year": areas["this"].pk})

    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Area", "Name", "Hub", "Year", "Phase"]
    this = areas["this"].label
    # Leeds: L1 L2 L3 L4 open; L2 L3 L4 engaged; L1 too has a place this year.
    assert ["Local authority", "Leeds", "North Maths Hub", this, "All phases", "4", "3", "75.0",
            "4"] in rows  # fmt: skip
    assert ["England", "England", "", this, "Primary", "7", "2", "28.6", "3"] in rows
    # 3 areas' worth of rows: England, 3 hubs, 4 authorities; 2 years and 4 phases each.
    assert len(rows) == 1 + 8 * (2 + 4)


def test_a_hubs_page_puts_its_projects_side_by_side_with_the_nation(client):
    year = AcademicYearFactory()
    north, south = HubFactory(name="North Maths Hub"), HubFactory(name="South Maths Hub")
    first, second = ProjectFactory(title="Alpha Project"), ProjectFactory(title="Beta Project")
    for project in (first, second):
        project.years.add(year)
        busy_group(project, year, north, schools=1)
        busy_group(project, year, south, schools=3)
        for hub in (None, north):
            report = services.request_report(project=project, academic_year=year, hub=hub)
            services.build_report(report_id=report.pk)
    client.force_login(HubMembershipFactory(hub=north).user)

    text = client.get(reverse("reports:hub", args=[north.pk]), {"year": year.pk}).content.decode()

    assert text.index("Alpha Project") < text.index("Beta Project")
    # Schools taking part, schools completed and participants: North's 1 beside the nation's 4,
    # for each project.
    cell = (
        '<td class="text-end">1<br><span class="text-body-secondary small">'
        '<span class="visually-hidden">National: </span>4</span></td>'
    )
    assert text.count(cell) == 6
