import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import services
from tests.factories import (
    AcademicYearFactory,
    HubMembershipFactory,
    NationalAdminFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def rebuild(client, report):
    return client.post(
        reverse("admin:evaluations_nationalreport_changelist"),
        {"action": "rebuild", ACTION_CHECKBOX_NAME: [report.pk]},
    )


def failed_report():
    return NationalReport.objects.create(
        project=ProjectFactory(), academic_year=AcademicYearFactory(), status=ReportStatus.FAILED
    )


def test_national_team_rebuilds_a_failed_report_from_the_admin(
    client, django_capture_on_commit_callbacks
):
    report = failed_report()
    client.force_login(NationalAdminFactory())

    with django_capture_on_commit_callbacks(execute=True):
        rebuild(client, report)

    versions = NationalReport.objects.filter(project=report.project).order_by("version")
    assert [(r.version, r.status, r.is_current) for r in versions] == [
        (1, ReportStatus.FAILED, False),
        (2, ReportStatus.DONE, True),
    ]


def test_hub_staff_cannot_rebuild_reports_in_the_admin(client):
    report = failed_report()
    client.force_login(HubMembershipFactory().user)

    response = rebuild(client, report)

    assert response.status_code == 403
    assert NationalReport.objects.count() == 1


def test_the_admin_lists_versions_not_the_builds_that_found_nothing_changed(client):
    year, project = AcademicYearFactory(), ProjectFactory()
    for _ in range(3):
        report = services.request_report(project=project, academic_year=year)
        services.build_report(report_id=report.pk)
    client.force_login(NationalAdminFactory())

    response = client.get(reverse("admin:evaluations_nationalreport_changelist"))

    assert NationalReport.objects.filter(project=project).count() == 2  # a version and a check
    assert response.context["cl"].result_count == 1
