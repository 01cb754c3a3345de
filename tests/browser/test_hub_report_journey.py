"""A hub manager reads their hub's report beside the nation, the national figures, their hub's
projects side by side and the reach of their area; the national team reads every hub's reach."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from evaluations.reports import services
from tests.browser.conftest import sign_in
from tests.evaluations.report_factories import ensure_outcome_areas
from tests.evaluations.report_world import build_world
from tests.factories import HubMembershipFactory, NationalAdminFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def year_of_reports():
    ensure_outcome_areas()
    world = build_world()
    for key in ("national", "alpha", "beta", "gamma"):
        hub = world[key] if key != "national" else None
        report = services.request_report(project=world.project, academic_year=world.year, hub=hub)
        world[f"report_{key}"] = services.build_report(report_id=report.pk)
    return world


def signed_in(page, live_server, user, next_url="/reports/"):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    sign_in(page, live_server, user.email, PASSWORD, next_url=next_url)
    page.wait_for_url(f"{live_server.url}{next_url}")


def test_a_hub_manager_reads_their_hub_beside_the_nation(
    page, live_server, shoot, axe_check, year_of_reports
):
    world = year_of_reports
    manager = HubMembershipFactory(hub=world.alpha).user
    signed_in(page, live_server, manager)
    axe_check("reports list, hub manager")
    shoot("reports-list-hub-manager")

    page.get_by_role(
        "link", name="Version 1 of the Mastering Number report for Alpha Maths Hub"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Mastering Number: Alpha Maths Hub, {world.year.label}"
    )
    assert page.get_by_role("columnheader", name="National").is_visible()
    schools = page.get_by_role("row", name="Schools taking part")
    assert schools.get_by_role("cell").all_inner_texts() == ["5", "11"]
    assert page.get_by_role("img", name="Attendance marks at sessions held").is_visible()
    axe_check("hub report")
    shoot("hub-report")

    page.get_by_role("link", name="The national report for this project").click()
    assert "national figures" in page.get_by_role("heading", level=1).inner_text()
    text = page.locator("main").inner_text()
    assert "Beta Maths Hub" not in text
    assert "Gamma Maths Hub" not in text
    assert "supply cover" in text  # a national theme, without any group's name or words
    axe_check("national figures, hub manager")
    shoot("national-figures-hub-manager")

    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Alpha Maths Hub: its projects side by side").click()
    assert page.get_by_role("heading", name="Projects side by side").is_visible()
    assert page.get_by_role("link", name="Mastering Number").is_visible()
    axe_check("hub page")
    shoot("hub-projects")

    page.get_by_role("link", name="Reach across projects").click()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Schools engaged across projects")
    )
    assert page.get_by_role(
        "img", name="Alpha Maths Hub: share of its schools engaged"
    ).is_visible()
    assert page.get_by_role("rowheader", name="Leeds").is_visible()
    assert "Camden" not in page.locator("main").inner_text()
    axe_check("reach, hub manager")
    shoot("reach-hub-manager")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download every figure (CSV)").click()
    assert Path(download.value.path()).read_bytes().startswith("\ufeff".encode())

    page.goto(f"{live_server.url}/reports/{world.report_alpha.pk}/")
    page.get_by_role("link", name="Download the report (PDF)").click()
    # Built in the request here (no workers): WeasyPrint takes seconds on a busy machine.
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Build the PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    response = page.goto(f"{live_server.url}/reports/{world.report_beta.pk}/")
    assert response.status == 404


def test_the_national_team_reads_every_hubs_reach(
    page, live_server, shoot, axe_check, year_of_reports
):
    world = year_of_reports
    signed_in(page, live_server, NationalAdminFactory(), next_url="/reports/reach/")

    assert page.get_by_role("img", name="Share of each hub's schools engaged").is_visible()
    for name in ("Alpha Maths Hub", "Beta Maths Hub", "Gamma Maths Hub", "Leeds", "Camden"):
        assert page.get_by_role("rowheader", name=name).first.is_visible()
    axe_check("reach, national team")
    shoot("reach-national")

    page.goto(f"{live_server.url}/reports/{world.report_national.pk}/")
    assert page.get_by_role("img", name="Schools that completed, by hub").is_visible()
    assert page.get_by_role("rowheader", name="Autumn Work Group").is_visible()  # cancelled
    axe_check("national report, national team")
    shoot("national-report-full")
