"""The reports area: who sees what, downloads, rebuilds and bad input."""

import csv
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import services
from tests.evaluations.report_factories import busy_group, evaluate, hub
from tests.factories import (
    AcademicYearFactory,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    ProjectFactory,
    TeacherFactory,
    WorkGroupFactory,
)
from workgroups.models import WorkGroupStatus

pytestmark = pytest.mark.django_db


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool (pdftotext, pdftoppm) and return what it printed."""
    command = [shutil.which(tool), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603


HOSTILE = '=HYPERLINK("http://evil.example")<script>alert(1)</script>'


@pytest.fixture
def reports():
    year = AcademicYearFactory()
    project = ProjectFactory(title="Mastery Readiness")
    project.years.add(year)
    alpha, beta = hub("Alpha Maths Hub"), hub("Beta Maths Hub")
    busy_group(project, year, alpha)
    busy_group(project, year, beta)
    hostile = WorkGroupFactory(
        project=project, academic_year=year, hub=alpha, status=WorkGroupStatus.COMPLETED
    )
    evaluate(hostile, key_findings=HOSTILE)

    def build(hub_=None):
        report = services.request_report(project=project, academic_year=year, hub=hub_)
        return services.build_report(report_id=report.pk)

    return {
        "year": year,
        "project": project,
        "alpha": alpha,
        "beta": beta,
        "national": build(),
        "alpha_report": build(alpha),
        "beta_report": build(beta),
    }


def user_for(kind, reports):
    if kind == "national":
        return NationalAdminFactory()
    if kind == "alpha_staff":
        return HubMembershipFactory(hub=reports["alpha"]).user
    if kind == "lead":
        return LLMEFactory(hub=reports["alpha"]).user
    return TeacherFactory()


@pytest.mark.parametrize(
    ("kind", "report", "expected"),
    [
        ("national", "national", 200),
        ("national", "beta_report", 200),
        ("alpha_staff", "alpha_report", 200),
        ("alpha_staff", "beta_report", 404),
        ("alpha_staff", "national", 404),
        ("lead", "alpha_report", 404),
        ("teacher", "alpha_report", 404),
    ],
)
@pytest.mark.parametrize("name", ["detail", "status", "csv", "pdf"])
def test_who_may_read_which_report(client, reports, kind, report, expected, name):
    client.force_login(user_for(kind, reports))

    response = client.get(reverse(f"reports:{name}", args=[reports[report].pk]))

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("kind", "expected"), [("national", 200), ("alpha_staff", 200), ("lead", 404), ("teacher", 404)]
)
def test_only_the_national_team_and_hub_staff_have_a_reports_area(client, reports, kind, expected):
    client.force_login(user_for(kind, reports))

    assert client.get(reverse("reports:list")).status_code == expected


def test_signed_out_visitors_are_asked_to_sign_in(client, reports):
    response = client.get(reverse("reports:detail", args=[reports["national"].pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_hub_staff_list_shows_only_their_hubs_view(client, reports):
    client.force_login(user_for("alpha_staff", reports))

    page = client.get(reverse("reports:list")).content.decode()

    assert reverse("reports:detail", args=[reports["alpha_report"].pk]) in page
    assert reverse("reports:detail", args=[reports["beta_report"].pk]) not in page
    assert reverse("reports:detail", args=[reports["national"].pk]) not in page
    assert "Rebuild" not in page


def test_report_page_shows_the_stored_figures_and_escapes_text(client, reports):
    client.force_login(NationalAdminFactory())
    report = reports["national"]

    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()

    figures = {row["key"]: row["value"] for row in report.figures["headline"]}
    assert figures["schools_completed"] == 4  # two busy groups of two completed schools
    assert 'Schools that completed</th><td class="text-end">4</td>' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'aria-labelledby="chart-attendance-title"' in page
    assert "Hub views" in page


def test_csv_has_the_same_figures_and_quotes_formulas(client, reports):
    client.force_login(NationalAdminFactory())

    response = client.get(reverse("reports:csv", args=[reports["national"].pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv"
    assert ["Headline", "", "Schools that completed", "count", "4"] in rows
    findings = [row[4] for row in rows if row[:2] == ["Findings", "Key findings"]]
    assert "'" + HOSTILE.replace("<script>alert(1)</script>", "alert(1)") in findings


def test_pdf_has_the_whole_report_with_its_charts(client, reports, tmp_path):
    client.force_login(NationalAdminFactory())

    response = client.get(reverse("reports:pdf", args=[reports["national"].pk]))

    pdf = response.content
    assert pdf.startswith(b"%PDF")
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) not installed")
    (tmp_path / "report.pdf").write_bytes(pdf)
    pdf_path = str(tmp_path / "report.pdf")
    text = poppler("pdftotext", "-layout", pdf_path, "-")
    assert "Groups by attendance rate" in text
    assert "Impact ratings: Teachers' professional learning" in text
    assert "Schools that completed" in text
    poppler("pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", pdf_path, str(tmp_path / "p"))
    from PIL import Image

    page = Image.open(next(tmp_path.glob("p-*.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > 500  # not a blank page


def test_older_versions_stay_readable_and_point_to_the_current_one(client, reports):
    client.force_login(NationalAdminFactory())
    old = reports["national"]
    new = services.build_report(
        report_id=services.request_report(project=old.project, academic_year=old.academic_year).pk
    )

    page = client.get(reverse("reports:detail", args=[old.pk])).content.decode()

    assert "This is an older version" in page
    assert reverse("reports:detail", args=[new.pk]) in page


def test_national_team_rebuild_makes_a_new_current_version(
    client, reports, django_capture_on_commit_callbacks
):
    client.force_login(NationalAdminFactory())
    old = reports["national"]
    data = {"project": old.project_id, "academic_year": old.academic_year_id, "hub": ""}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:rebuild"), data)

    new = NationalReport.objects.get(is_current=True, project=old.project, hub=None)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[new.pk])
    assert (new.version, new.status) == (2, ReportStatus.DONE)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"project": "abc", "academic_year": "1"},
        {"project": "<script>", "academic_year": ""},
        {"project": "999999", "academic_year": "999999"},
    ],
)
def test_rebuild_with_bad_values_changes_nothing(client, reports, data):
    client.force_login(NationalAdminFactory())
    before = NationalReport.objects.count()

    response = client.post(reverse("reports:rebuild"), data, follow=True)

    assert response.status_code == 200
    assert "could not be rebuilt" in response.content.decode()
    assert NationalReport.objects.count() == before


def test_hub_staff_cannot_start_a_rebuild(client, reports):
    client.force_login(user_for("alpha_staff", reports))
    report = reports["alpha_report"]
    data = {
        "project": report.project_id,
        "academic_year": report.academic_year_id,
        "hub": report.hub_id,
    }

    assert client.post(reverse("reports:rebuild"), data).status_code == 404
    assert NationalReport.objects.filter(hub=report.hub).count() == 1


@pytest.mark.parametrize("year", ["abc", "<script>", "999999", ""])
def test_list_survives_bad_year_values(client, reports, year):
    client.force_login(NationalAdminFactory())

    response = client.get(reverse("reports:list"), {"year": year})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main")[1]


def test_a_report_being_built_shows_its_progress(client, reports):
    client.force_login(NationalAdminFactory())
    queued = services.request_report(project=reports["project"], academic_year=reports["year"])
    NationalReport.objects.filter(pk=queued.pk).update(status=ReportStatus.RUNNING, progress=40)

    page = client.get(reverse("reports:detail", args=[queued.pk])).content.decode()
    status = client.get(reverse("reports:status", args=[queued.pk])).json()

    assert '<progress id="report-progress"' in page
    assert 'value="40"' in page
    assert status == {
        "status": "running", "status_label": "Running", "progress": 40, "error": "",
        "done": False, "finished": False, "url": reverse("reports:detail", args=[queued.pk]),
    }  # fmt: skip
    assert client.get(reverse("reports:csv", args=[queued.pk])).status_code == 404


def test_report_pages_issue_the_same_queries_for_small_and_large_reports(client):
    year = AcademicYearFactory()
    user = NationalAdminFactory()
    client.force_login(user)
    counts = []
    for size in (2, 12):
        project = ProjectFactory()
        project.years.add(year)
        hubs = [hub(f"Hub {size} {n}") for n in range(size // 2)]
        for n in range(size):
            busy_group(project, year, hubs[n % len(hubs)])
        report = services.request_report(project=project, academic_year=year)
        services.build_report(report_id=report.pk)
        for hub_ in hubs:
            services.build_report(
                report_id=services.request_report(project=project, academic_year=year, hub=hub_).pk
            )
        with CaptureQueriesContext(connection) as detail:
            assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert client.get(reverse("reports:list"), {"year": year.pk}).status_code == 200
        counts.append((len(detail), len(listing)))
    assert counts[0] == counts[1]
