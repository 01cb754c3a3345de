"""The national team reads a report, rebuilds it (nothing changed, so the version stays),
follows a build's progress and downloads the figures and the stored PDF."""

import shutil
import subprocess
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import services
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.evaluations.report_factories import busy_group, ensure_outcome_areas, hub
from tests.factories import AcademicYearFactory, NationalAdminFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def national_report():
    areas = ensure_outcome_areas()
    year = AcademicYearFactory()
    project = ProjectFactory(title="Mastery Readiness")
    project.years.add(year)
    project.outcome_areas.set(areas)
    hubs = [hub("Abacus Maths Hub"), hub("Boolean Maths Hub", "London"), hub("Enigma Maths Hub")]
    for index in range(5):
        busy_group(project, year, hubs[index % 3], schools=1 + index % 3)
    report = services.request_report(project=project, academic_year=year)
    return services.build_report(report_id=report.pk), hubs


def signed_in_national_user(page, live_server, next_url):
    user = NationalAdminFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    sign_in(page, live_server, user.email, PASSWORD, next_url=next_url)
    return user


def test_national_team_reads_rebuilds_and_downloads_a_report(
    page, live_server, shoot, axe_check, national_report, tmp_path
):
    signed_in_national_user(page, live_server, "/reports/")

    page.wait_for_url(f"{live_server.url}/reports/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("National reports")
    axe_check("reports list")
    shoot("reports-list")

    page.get_by_role("link", name="Version 1 of the Mastery Readiness report").click()
    assert page.get_by_role("img", name="Groups by attendance rate").is_visible()
    assert page.get_by_role("img", name="Schools that completed, by hub").is_visible()
    axe_check("report page")
    shoot("report-page")

    page.get_by_role("button", name="Rebuild this report").click()
    # No broker in tests: the rebuild ran at once and found the same figures, so version 1
    # stays current and the page says so.
    page.wait_for_url(f"{live_server.url}/reports/*/")
    assert page.get_by_text("Nothing has changed since version 1").is_visible()
    newest = NationalReport.objects.versions().get(is_current=True, hub=None)
    assert newest.version == 1
    assert newest.checked_at is not None
    assert page.get_by_role("heading", name="Headline figures").is_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download every figure (CSV)").click()
    figures = Path(download.value.path()).read_bytes()
    assert figures.startswith("\ufeff".encode())
    assert "Schools that completed" in figures.decode("utf-8-sig")

    # With no workers (as in development) a PDF is built when first asked for; the page says so.
    page.get_by_role("link", name="Download the report (PDF)").click()
    assert page.get_by_role("heading", name="There is no PDF of this version yet").is_visible()
    axe_check("PDF not built yet")
    shoot("report-pdf-pending")
    # Built in the request here (no workers): WeasyPrint takes seconds on a busy machine.
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Build the PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pages = ["-png", "-r", "70", "-f", "1", "-l", "4"]
        target = str(SCREENSHOTS / "report-pdf")
        command = [shutil.which("pdftoppm"), *pages, download.value.path(), target]
        subprocess.run(command, check=True)  # noqa: S603 - our own fixed arguments
        assert list(SCREENSHOTS.glob("report-pdf-*.png"))


def test_progress_bar_follows_a_build_without_reloading(
    page, live_server, shoot, axe_check, national_report
):
    report, hubs = national_report
    queued = services.request_report(
        project=report.project, academic_year=report.academic_year, hub=hubs[0]
    )
    signed_in_national_user(page, live_server, f"/reports/{queued.pk}/")

    page.wait_for_url(f"{live_server.url}/reports/{queued.pk}/")
    progress = page.get_by_role("progressbar")
    assert progress.get_attribute("value") == "0"
    assert page.get_by_role("status").filter(has_text="Queued").is_visible()
    axe_check("report being built")
    shoot("report-progress")

    services.build_report(report_id=queued.pk)  # as a worker would, while the page watches

    page.get_by_role("status").filter(has_text="The report is ready.").wait_for()
    assert progress.get_attribute("value") == "100" or progress.evaluate("el => el.value") == 100
    page.get_by_role("link", name="Show the finished report").click()
    assert page.get_by_role("heading", name="Headline figures").is_visible()
    assert NationalReport.objects.get(pk=queued.pk).status == ReportStatus.DONE
    axe_check("hub report page")
    shoot("report-hub-page")
