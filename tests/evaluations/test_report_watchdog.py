"""The watchdog: a report build with no sign of life for minutes is queued again and finishes
with one current version; builds that are alive, finished or failed are left alone."""

import datetime
import signal

import pytest
from django.utils import timezone

from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import services
from evaluations.tasks import requeue_stalled_reports
from tests import brokers
from tests.evaluations.report_factories import busy_group, hub
from tests.evaluations.report_faults import PAUSE_ENV
from tests.factories import AcademicYearFactory, ProjectFactory


def small_project():
    year = AcademicYearFactory()
    project = ProjectFactory()
    project.years.add(year)
    busy_group(project, year, hub("Watchdog Maths Hub"))
    return project, year


def silent_for(report, seconds: float) -> None:
    """As if its build had last shown a sign of life ``seconds`` ago."""
    then = timezone.now() - datetime.timedelta(seconds=seconds)
    NationalReport.objects.filter(pk=report.pk).update(heartbeat_at=then)


def report_in(status, project, year, **fields):
    report = services.request_report(project=project, academic_year=year)
    NationalReport.objects.filter(pk=report.pk).update(status=status, **fields)
    return report


@pytest.mark.django_db
def test_a_running_build_that_showed_life_recently_is_left_alone(settings):
    project, year = small_project()
    report = report_in(ReportStatus.RUNNING, project, year, progress=35)
    silent_for(report, settings.REPORT_STALE_AFTER - 30)

    assert requeue_stalled_reports() == 0
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.RUNNING, 35)


@pytest.mark.django_db
def test_a_running_build_silent_for_minutes_is_built_again(
    settings, django_capture_on_commit_callbacks
):
    project, year = small_project()
    report = report_in(ReportStatus.RUNNING, project, year, progress=55)
    silent_for(report, settings.REPORT_STALE_AFTER + 30)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_reports() == 1

    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.is_current
    assert NationalReport.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_a_queued_build_no_worker_took_is_built(settings, django_capture_on_commit_callbacks):
    project, year = small_project()
    report = services.request_report(project=project, academic_year=year)
    silent_for(report, settings.REPORT_STALE_AFTER + 30)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_reports() == 1

    report.refresh_from_db()
    assert (report.status, report.is_current) == (ReportStatus.DONE, True)


@pytest.mark.django_db
def test_a_requeued_build_is_not_requeued_again_while_it_waits_for_a_worker(settings):
    project, year = small_project()
    report = report_in(ReportStatus.RUNNING, project, year, progress=70)
    silent_for(report, settings.REPORT_STALE_AFTER + 30)

    assert [r.pk for r in services.requeue_stalled()] == [report.pk]
    assert services.requeue_stalled() == []
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.QUEUED, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ReportStatus.DONE, ReportStatus.FAILED])
def test_finished_and_failed_versions_are_left_alone(settings, status):
    project, year = small_project()
    report = report_in(status, project, year)
    silent_for(report, settings.REPORT_STALE_AFTER * 10)

    assert requeue_stalled_reports() == 0
    assert NationalReport.objects.get(pk=report.pk).status == status


@pytest.mark.django_db
def test_each_step_of_a_build_stamps_its_heartbeat(monkeypatch):
    project, year = small_project()
    report = services.request_report(project=project, academic_year=year)
    record_progress = services._record_progress
    stamped = []

    def silent_then_progress(report_id, percent):
        silent_for(report, 3600)
        record_progress(report_id, percent)
        stamped.append(not services.stalled_reports().filter(pk=report_id).exists())

    monkeypatch.setattr(services, "_record_progress", silent_then_progress)
    services.build_report(report_id=report.pk)

    assert len(stamped) >= 5
    assert all(stamped)


# Like `celery -A mathshub worker`, with the default (hour-long) visibility timeout, so a
# message whose worker was killed is not handed out again during the test: only the watchdog
# can rescue the report. With TEST_REPORT_PAUSE_AT=N it hangs once a report reaches N per cent.
WORKER = (
    "import sys; from mathshub.celery import app; "
    "from tests.evaluations.report_faults import install_pause_from_environment; "
    "install_pause_from_environment(); app.worker_main(sys.argv[1:])"
)


@pytest.fixture
def own_broker(require_postgres):
    server = brokers.RedisServer()
    server.start()
    workers = brokers.Workers(server.url)
    with brokers.broker(server.url):
        yield workers
    workers.stop_all()
    server.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.redis
def test_a_report_whose_worker_was_killed_is_finished_by_the_watchdog(own_broker, settings):
    workers = own_broker
    project, year = small_project()
    stuck = workers.start(WORKER, **{PAUSE_ENV: "55"})

    report = services.rebuild_report(project=project, academic_year=year)

    assert brokers.wait_for(lambda: NationalReport.objects.get(pk=report.pk).progress >= 55)
    stuck.send_signal(signal.SIGKILL)
    stuck.wait(timeout=10)
    assert NationalReport.objects.get(pk=report.pk).status == ReportStatus.RUNNING
    assert requeue_stalled_reports() == 0  # it showed life moments ago

    # Minutes later (the heartbeat is moved back rather than waited for) the watchdog runs.
    silent_for(report, settings.REPORT_STALE_AFTER + 60)
    assert requeue_stalled_reports() == 1
    assert NationalReport.objects.get(pk=report.pk).status == ReportStatus.QUEUED
    workers.start(WORKER)

    assert brokers.wait_for(
        lambda: NationalReport.objects.get(pk=report.pk).status == ReportStatus.DONE, seconds=90
    ), "the requeued build did not finish"
    versions = NationalReport.objects.filter(project=project, academic_year=year, hub=None)
    assert versions.count() == 1
    current = versions.get(is_current=True)
    assert (current.pk, current.progress) == (report.pk, 100)
    assert requeue_stalled_reports() == 0
