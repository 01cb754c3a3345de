"""Real Celery workers over Redis build reports, and a worker killed mid-collation loses nothing.

The worker is started with a short Redis visibility timeout (passed on its command line below),
so a message whose worker died is handed out again within seconds.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import services
from evaluations.tasks import collate_national_report
from mathshub.celery import app
from tests.evaluations.report_factories import busy_group, hub
from tests.evaluations.report_faults import PAUSE_ENV
from tests.factories import AcademicYearFactory, ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3
# Starts a worker like `celery -A mathshub worker` with a short visibility timeout for the test.
# With TEST_REPORT_PAUSE_AT=N in its environment it hangs once a report reaches N per cent.
WORKER = (
    "import sys; from mathshub.celery import app; "
    "from tests.evaluations.report_faults import install_pause_from_environment; "
    "install_pause_from_environment(); "
    f"app.conf.broker_transport_options = {{'visibility_timeout': {VISIBILITY_TIMEOUT}, "
    "'unacked_restore_interval': 1, 'unacked_restore_throttle': 1}; "
    "app.worker_main(sys.argv[1:])"
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(require_postgres, require_redis):
    queue = f"test-reports-{uuid.uuid4().hex[:8]}"
    processes = []

    def start(**extra_env):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": require_redis,
            "DJANGO_SETTINGS_MODULE": "mathshub.settings",
            **extra_env,
        }
        process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [sys.executable, "-c", WORKER, "worker", "--pool=solo", "--queues", queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(process)
        return process

    yield start, queue, require_redis
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _send(queue, broker_url, *args, **kwargs):
    app.conf.task_always_eager = False
    with app.connection_for_write(broker_url) as broker:
        collate_national_report.apply_async(args, kwargs, queue=queue, connection=broker)


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def _small_project():
    year = AcademicYearFactory()
    project = ProjectFactory()
    project.years.add(year)
    busy_group(project, year, hub("Worker Maths Hub"))
    return project, year


def test_worker_builds_the_report_in_the_database(start_worker):
    start, queue, broker_url = start_worker
    project, year = _small_project()
    start()

    _send(queue, broker_url, project.pk, year.pk)

    assert _wait_for(lambda: NationalReport.objects.filter(status=ReportStatus.DONE).exists())
    report = NationalReport.objects.get()
    assert report.is_current
    assert {row["key"]: row["value"] for row in report.figures["headline"]}["groups"] == 1


def test_a_worker_killed_mid_collation_is_replaced_and_one_current_version_results(start_worker):
    start, queue, broker_url = start_worker
    project, year = _small_project()
    report = services.request_report(project=project, academic_year=year)
    stuck = start(**{PAUSE_ENV: "55"})

    _send(queue, broker_url, project.pk, year.pk, report_id=report.pk)

    # Progress is committed as it goes, so this process sees the run half-way.
    assert _wait_for(lambda: NationalReport.objects.get(pk=report.pk).progress >= 55)
    assert NationalReport.objects.get(pk=report.pk).status == ReportStatus.RUNNING
    stuck.send_signal(signal.SIGKILL)
    stuck.wait(timeout=10)
    assert NationalReport.objects.get(pk=report.pk).status == ReportStatus.RUNNING

    start()  # a healthy worker; the unacknowledged message comes back to it

    assert _wait_for(
        lambda: NationalReport.objects.get(pk=report.pk).status == ReportStatus.DONE, seconds=90
    )
    versions = NationalReport.objects.filter(project=project, academic_year=year, hub=None)
    assert versions.count() == 1
    assert versions.get(is_current=True).pk == report.pk
    assert versions.get().progress == 100
