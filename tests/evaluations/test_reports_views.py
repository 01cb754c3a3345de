"""The reports area: who sees what, the editions hub staff read, downloads, rebuilds, bad input
and fixed query counts."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import (
    DocumentStatus,
    NationalReport,
    ReportDocument,
    ReportEdition,
    ReportStatus,
)
from evaluations.reports import documents, services
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

HOSTILE = '=HYPERLINK("http://evil.example")<script>alert(1)</script>'


def build(project, year, hub_=None):
    report = services.request_report(project=project, academic_year=year, hub=hub_)
    return services.build_report(report_id=report.pk)


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
    return {
        "year": year,
        "project": project,
        "alpha": alpha,
        "beta": beta,
        "national": build(project, year),
        "alpha_report": build(project, year, alpha),
        "beta_report": build(project, year, beta),
    }


def user_for(kind, reports):
    if kind == "national":
        return NationalAdminFactory()
    if kind in ("alpha_staff", "beta_staff"):
        return HubMembershipFactory(hub=reports[kind.split("_")[0]]).user
    if kind == "lead":
        return LLMEFactory(hub=reports["alpha"]).user
    if kind == "teacher":
        return TeacherFactory()
    return None


def sign_in(client, kind, reports):
    user = user_for(kind, reports)
    if user is not None:
        client.force_login(user)
    return user


def page(client, name, *args, **params):
    response = client.get(reverse(f"reports:{name}", args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Who may do what --------------------------------------------------------------------------

# Every URL of the area: (label, method, url name, argument). "ok" is 200 for a page and 302
# for a form's answer; "hidden" is 404; signed-out visitors are sent to sign in (302).
URLS = [
    ("list", "get", "list", None),
    ("national report", "get", "detail", "national"),
    ("alpha report", "get", "detail", "alpha_report"),
    ("beta report", "get", "detail", "beta_report"),
    ("national status", "get", "status", "national"),
    ("alpha status", "get", "status", "alpha_report"),
    ("national csv", "get", "csv", "national"),
    ("alpha csv", "get", "csv", "alpha_report"),
    ("beta csv", "get", "csv", "beta_report"),
    ("national pdf", "get", "pdf", "national"),
    ("alpha pdf", "get", "pdf", "alpha_report"),
    ("beta pdf", "get", "pdf", "beta_report"),
    ("alpha pdf retry", "post", "pdf_retry", "alpha_report"),
    ("beta pdf retry", "post", "pdf_retry", "beta_report"),
    ("rebuild", "post", "rebuild", None),
    ("reach", "get", "reach", None),
    ("reach csv", "get", "reach_csv", None),
    ("alpha hub page", "get", "hub", "alpha"),
    ("beta hub page", "get", "hub", "beta"),
]
BETA = {"beta report", "beta csv", "beta pdf", "beta pdf retry", "beta hub page"}
ALPHA = {
    "alpha report",
    "alpha status",
    "alpha csv",
    "alpha pdf",
    "alpha pdf retry",
    "alpha hub page",
}
EXPECTED = {
    "national": {label: "ok" for label, *_ in URLS},
    "alpha_staff": {label: "hidden" if label in BETA or label == "rebuild" else "ok"
                    for label, *_ in URLS},
    "beta_staff": {label: "hidden" if label in ALPHA or label == "rebuild" else "ok"
                   for label, *_ in URLS},
    "lead": {label: "hidden" for label, *_ in URLS},
    "teacher": {label: "hidden" for label, *_ in URLS},
    "anonymous": {label: "sign in" for label, *_ in URLS},
}  # fmt: skip


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_who_may_open_every_report_url(client, reports, kind):
    sign_in(client, kind, reports)
    data = {"project": reports["project"].pk, "academic_year": reports["year"].pk, "hub": ""}
    seen = {}
    for label, method, name, argument in URLS:
        args = [reports[argument].pk] if argument else []
        url = reverse(f"reports:{name}", args=args)
        response = client.post(url, data) if method == "post" else client.get(url)
        if response.status_code == 404:
            seen[label] = "hidden"
        elif response.status_code == 302 and "/accounts/login/" in response["Location"]:
            seen[label] = "sign in"
        else:
            assert response.status_code == (302 if method == "post" else 200), label
            seen[label] = "ok"
    assert seen == EXPECTED[kind]


def test_beta_staff_see_their_own_hub_and_not_alphas(client, reports):
    sign_in(client, "beta_staff", reports)

    assert (
        client.get(reverse("reports:detail", args=[reports["beta_report"].pk])).status_code == 200
    )
    assert (
        client.get(reverse("reports:detail", args=[reports["alpha_report"].pk])).status_code == 404
    )
    assert client.get(reverse("reports:hub", args=[reports["alpha"].pk])).status_code == 404


def test_hub_staff_list_shows_the_national_figures_and_their_own_hubs_reports(client, reports):
    sign_in(client, "alpha_staff", reports)

    listing = page(client, "list")

    assert reverse("reports:detail", args=[reports["alpha_report"].pk]) in listing
    assert reverse("reports:detail", args=[reports["national"].pk]) in listing
    assert reverse("reports:detail", args=[reports["beta_report"].pk]) not in listing
    assert reverse("reports:hub", args=[reports["alpha"].pk]) in listing
    assert "Rebuild" not in listing


def test_hub_staff_read_the_national_report_without_other_hubs_details(client, reports):
    sign_in(client, "alpha_staff", reports)

    national = page(client, "detail", reports["national"].pk)

    assert "national figures" in national
    assert "Beta Maths Hub" not in national
    assert 'id="hubs-heading"' not in national  # no table by hub
    figures = {row["key"]: row["value"] for row in reports["national"].figures["headline"]}
    assert f'<td class="text-end">{figures["schools_completed"]}</td>' in national
    assert HOSTILE not in national
    assert "alert(1)" not in national


def test_hub_staff_see_their_hub_beside_the_nation(client, reports):
    sign_in(client, "alpha_staff", reports)

    hub_page = page(client, "detail", reports["alpha_report"].pk)

    national = {r["key"]: r["value"] for r in reports["national"].figures["headline"]}
    own = {r["key"]: r["value"] for r in reports["alpha_report"].figures["headline"]}
    row = hub_page.split("Schools that completed</th>")[1].split("</tr>")[0]
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row)
    assert cells == [str(own["schools_completed"]), str(national["schools_completed"])]
    assert ">National</th>" in hub_page


def test_national_team_sees_every_hub_on_the_national_report(client, reports):
    sign_in(client, "national", reports)

    national = page(client, "detail", reports["national"].pk)

    assert "Alpha Maths Hub" in national
    assert "Beta Maths Hub" in national
    assert "<script>alert(1)</script>" not in national
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in national
    assert 'aria-labelledby="chart-attendance-title"' in national
    assert "Hub reports" in national


def test_signed_out_visitors_are_asked_to_sign_in(client, reports):
    response = client.get(reverse("reports:detail", args=[reports["national"].pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# The CSV --------------------------------------------------------------------------------------


def csv_of(client, report):
    response = client.get(reverse("reports:csv", args=[report.pk]))
    assert response.status_code == 200
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def leaves(value, path=()):
    """Every figure of a report's JSON, by its key, as the CSV names it."""
    from evaluations.reports.render import IDENTIFIERS, NOT_FIGURES

    if isinstance(value, dict):
        for key, inner in value.items():
            # The surveys' figures are written by surveys.impact.csv_rows and tested there.
            if key in NOT_FIGURES or key in IDENTIFIERS or (not path and key == "impact"):
                continue
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from leaves(inner, (*path, index))
    else:
        yield ".".join(str(part) for part in path), value


def test_the_csv_carries_every_figure_with_a_byte_order_mark(client, reports):
    sign_in(client, "national", reports)
    report = reports["national"]

    response, rows = csv_of(client, report)

    assert response.content.startswith("\ufeff".encode())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    keys = {row[5] for row in rows[1:]}
    names = {"hub", "group", "label", "name", "term", "month"}  # the rows' names, in "Item"
    missing = [key for key, _ in leaves(report.figures) if key not in keys
               and key.rsplit(".", 1)[-1] not in names]  # fmt: skip
    assert missing == []
    assert ["Headline", "", "Groups still running", "count", "0", "headline.groups_running"] in rows
    returned = next(row for row in rows if row[5] == "evaluations.returned")
    assert returned[:4] == ["Evaluations", "", "", "returned"]
    regions = [row for row in rows if row[0] == "By hub" and row[3] == "region"]
    assert [row[2] for row in regions] == ["Alpha Maths Hub", "Beta Maths Hub"]
    assert any(row[3] == "groups with evidence" and row[0] == "By hub" for row in rows)


def test_the_csv_keeps_en_dashes_and_quotes_formulas(client, reports):
    sign_in(client, "national", reports)

    _, rows = csv_of(client, reports["national"])

    assert any("50\N{EN DASH}69%" in row[2] for row in rows)
    findings = [row[4] for row in rows if row[3] == "key findings"]
    assert "'" + HOSTILE.replace("<script>alert(1)</script>", "alert(1)") in findings


def test_hub_staff_csv_of_the_national_report_has_no_hubs_details(client, reports):
    sign_in(client, "alpha_staff", reports)

    response, rows = csv_of(client, reports["national"])

    assert "Beta Maths Hub" not in response.content.decode("utf-8-sig")
    assert "Alpha Maths Hub" not in response.content.decode("utf-8-sig")
    assert "national-figures" in response["Content-Disposition"]
    assert ["Headline", "", "Groups (not counting cancelled ones)", "count", "3",
            "headline.groups"] in rows  # fmt: skip


# The PDF --------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_is_built_after_publication_stored_and_served(
    client, reports, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_PDFS_ON_PUBLISH = True  # as where workers run the tasks
    sign_in(client, "national", reports)
    WorkGroupFactory(project=reports["project"], academic_year=reports["year"],
                     hub=reports["beta"], status=WorkGroupStatus.RUNNING)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.rebuild_report(project=reports["project"], academic_year=reports["year"])

    national = NationalReport.objects.get(hub=None, is_current=True)
    assert national.version == 2
    stored = ReportDocument.objects.filter(report=national).order_by("edition")
    assert [(d.edition, d.status) for d in stored] == [
        (ReportEdition.FULL, DocumentStatus.DONE),
        (ReportEdition.NATIONAL_FIGURES, DocumentStatus.DONE),
    ]
    response = client.get(reverse("reports:pdf", args=[national.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in ("Groups by attendance rate", "Attendance marks", "Completion rate",
                  "How the figures are counted", "Beta Maths Hub"):  # fmt: skip
        assert words in text


def test_hub_staff_get_the_national_figures_edition_of_the_pdf(
    client, reports, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        documents.build_pdfs(report_id=reports["national"].pk)
    sign_in(client, "alpha_staff", reports)

    response = client.get(reverse("reports:pdf", args=[reports["national"].pk]))

    text = pdf_text(response.content)
    assert "national figures" in text
    assert "Beta Maths Hub" not in text
    assert "Alpha Maths Hub" not in text


def test_a_pdf_not_built_yet_is_explained_and_can_be_asked_for(
    client, reports, django_capture_on_commit_callbacks
):
    sign_in(client, "alpha_staff", reports)
    report = reports["alpha_report"]

    waiting = page(client, "pdf", report.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:pdf_retry", args=[report.pk]))

    assert "There is no PDF of this version yet" in waiting
    assert response.status_code == 302
    assert client.get(response["Location"])["Content-Type"] == "application/pdf"


def test_a_failed_pdf_says_why_and_offers_to_try_again(client, reports):
    report = reports["alpha_report"]
    ReportDocument.objects.create(
        report=report, status=DocumentStatus.FAILED, error="The PDF could not be built: no fonts"
    )
    sign_in(client, "alpha_staff", reports)

    failed = page(client, "pdf", report.pk)

    assert "The PDF could not be built: no fonts" in failed
    assert "Build the PDF again" in failed
    assert reverse("reports:csv", args=[report.pk]) in failed


def test_a_pdf_being_built_says_so(client, reports):
    report = reports["alpha_report"]
    ReportDocument.objects.create(report=report, status=DocumentStatus.BUILDING)
    sign_in(client, "alpha_staff", reports)

    building = page(client, "pdf", report.pk)

    assert "The PDF is being prepared" in building
    assert "Build the PDF again" not in building


# Versions and rebuilds ------------------------------------------------------------------------


def test_older_versions_stay_readable_and_point_to_the_current_one(client, reports):
    sign_in(client, "national", reports)
    old = reports["national"]
    WorkGroupFactory(project=old.project, academic_year=old.academic_year, hub=reports["beta"],
                     status=WorkGroupStatus.RUNNING)  # fmt: skip
    new = build(old.project, old.academic_year)

    older = page(client, "detail", old.pk)

    assert new.version == 2
    assert "This is an older version" in older
    assert reverse("reports:detail", args=[new.pk]) in older


def test_a_rebuild_that_changes_nothing_keeps_the_version_and_says_so(
    client, reports, django_capture_on_commit_callbacks
):
    sign_in(client, "national", reports)
    old = reports["national"]
    data = {"project": old.project_id, "academic_year": old.academic_year_id, "hub": ""}

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse("reports:rebuild"), data)
    response = client.get(posted["Location"], follow=True)  # once the build has run

    assert response.redirect_chain[-1][0] == reverse("reports:detail", args=[old.pk])
    assert "Nothing has changed since version 1" in response.content.decode()
    assert NationalReport.objects.versions().filter(project=old.project, hub=None).count() == 1


def test_national_team_rebuild_after_a_change_makes_a_new_current_version(
    client, reports, django_capture_on_commit_callbacks
):
    sign_in(client, "national", reports)
    old = reports["national"]
    WorkGroupFactory(project=old.project, academic_year=old.academic_year, hub=reports["beta"],
                     status=WorkGroupStatus.RUNNING)  # fmt: skip
    data = {"project": old.project_id, "academic_year": old.academic_year_id, "hub": ""}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:rebuild"), data)

    new = NationalReport.objects.get(is_current=True, project=old.project, hub=None)
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
    sign_in(client, "national", reports)
    before = NationalReport.objects.count()

    response = client.post(reverse("reports:rebuild"), data, follow=True)

    assert response.status_code == 200
    assert "could not be rebuilt" in response.content.decode()
    assert NationalReport.objects.count() == before


@pytest.mark.parametrize("year", ["abc", "<script>", "999999", ""])
@pytest.mark.parametrize("name", ["list", "reach"])
def test_pages_survive_bad_year_values(client, reports, year, name):
    sign_in(client, "national", reports)

    response = client.get(reverse(f"reports:{name}"), {"year": year})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main")[1]


def test_a_report_being_built_shows_its_progress(client, reports):
    sign_in(client, "national", reports)
    WorkGroupFactory(project=reports["project"], academic_year=reports["year"])
    queued = services.request_report(project=reports["project"], academic_year=reports["year"])
    NationalReport.objects.filter(pk=queued.pk).update(status=ReportStatus.RUNNING, progress=40)

    progress = page(client, "detail", queued.pk)
    status = client.get(reverse("reports:status", args=[queued.pk])).json()

    assert '<progress id="report-progress"' in progress
    assert 'value="40"' in progress
    assert status == {
        "status": "running", "status_label": "Running", "progress": 40, "error": "",
        "done": False, "finished": False, "unchanged": False,
        "url": reverse("reports:detail", args=[queued.pk]),
    }  # fmt: skip
    assert client.get(reverse("reports:csv", args=[queued.pk])).status_code == 404


# Fixed query counts -------------------------------------------------------------------------


def queries(client, name, *args, **params):
    with CaptureQueriesContext(connection) as captured:
        page(client, name, *args, **params)
    return len(captured)


def test_report_pages_issue_the_same_queries_for_small_and_large_years(client):
    year = AcademicYearFactory()
    national_user, counts = NationalAdminFactory(), []
    for size in (2, 12):
        project = ProjectFactory()
        project.years.add(year)
        hubs = [hub(f"Hub {size} {n}") for n in range(size // 2)]
        for n in range(size):
            busy_group(project, year, hubs[n % len(hubs)])
        report = build(project, year)
        hub_reports = [build(project, year, hub_) for hub_ in hubs]
        staff = HubMembershipFactory(hub=hubs[0]).user
        client.force_login(national_user)
        page(client, "list")  # the session's first request records when it was last seen
        national_counts = [
            queries(client, "detail", report.pk),
            queries(client, "detail", hub_reports[0].pk),
            queries(client, "list", year=year.pk),
            queries(client, "reach", year=year.pk),
            queries(client, "hub", hubs[0].pk, year=year.pk),
        ]
        client.force_login(staff)
        page(client, "list")
        staff_counts = [
            queries(client, "detail", report.pk),
            queries(client, "detail", hub_reports[0].pk),
            queries(client, "list", year=year.pk),
            queries(client, "reach", year=year.pk),
        ]
        counts.append((national_counts, staff_counts))
    assert counts[0] == counts[1]
