"""Request and build report versions: statuses, progress and the one current version.

A report scope is a project in an academic year, nationally (no hub) or for one hub. Each
rebuild whose figures changed is a new ``NationalReport`` version; older versions stay
readable. The life of one:

1. ``request_report`` creates it ``queued`` — or returns the scope's version that is already
   queued or running, so a double click, a nightly run or a redelivered task never piles up
   versions.
2. ``build_report`` marks it ``running`` and records progress as it goes, each step committed
   on its own so other processes (the progress page) see it while it runs.
3. The figures are written in one final transaction that also flips the status to ``done`` and
   makes it the current version (unless a newer version finished first), so no half-written
   report is ever visible. Any error marks it ``failed`` with the reason and is raised again
   (the task retries database errors).

Building is safe to repeat: a version already ``done`` is left alone, and one left ``running``
by a killed worker is simply collated again when the task is redelivered.

**Versions only when something changed.** The figures are fingerprinted (SHA-256 of their JSON
without the time of collation). A build whose fingerprint is the current version's publishes
nothing: it is marked done ``same_as`` the current version, which records the check in
``checked_at``. Such a build is not a version: pages and lists leave it out, it takes no PDF,
and the scope's next request deletes it, so the nightly rebuild of an unchanged report leaves
one version however many nights it runs.

Once a version is published its PDFs are built by another task (``documents``), queued when
the publication commits, where workers run the tasks. With no broker (tasks run in-process, as
in development) rendering every new version's PDF would hold up whatever published it (the demo
seed publishes hundreds), so there the PDF is built when someone first asks for it.
``REPORT_PDFS_ON_PUBLISH`` (True or False) overrides that choice.

A build shows it is alive through ``heartbeat_at``, stamped when it is queued, starts and makes
progress. The watchdog (``requeue_stalled``, every minute from Celery beat) queues the build
again of any unfinished version silent for ``REPORT_STALE_AFTER`` seconds: a worker killed
half-way, or a build whose message never reached a worker. Without it such a version would
wait for the broker's visibility timeout (an hour), or for ever.

Queuing a build goes through Celery by the task's registered name, so this module never imports
the tasks module (which imports it).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from core.errors import DomainError
from evaluations.models import NationalReport, ReportStatus
from evaluations.reports.collation import collate
from evaluations.reports.scope import Scope
from participants.models import Hub, User
from projects.models import AcademicYear, Project
from workgroups.models import WorkGroup

UNFINISHED = [ReportStatus.QUEUED, ReportStatus.RUNNING]
BUILD_TASK = "evaluations.tasks.collate_national_report"
PDF_TASK = "evaluations.tasks.build_report_pdfs"
# Left out of the fingerprint: when the figures were collated is not a change in them.
UNFINGERPRINTED = ("as_of",)

logger = logging.getLogger(__name__)


class ReportError(DomainError):
    """A report cannot be requested or built; the message says why in plain words."""


def scope_reports(*, project: Project, academic_year: AcademicYear, hub: Hub | None) -> QuerySet:
    """Every version of the report for this project, year and scope."""
    return NationalReport.objects.filter(project=project, academic_year=academic_year, hub=hub)


@transaction.atomic
def request_report(
    *,
    project: Project,
    academic_year: AcademicYear,
    hub: Hub | None = None,
    requested_by: User | None = None,
) -> NationalReport:
    """A queued new version of the scope's report, or the one already queued or running."""
    # Lock the project row so two requests cannot take the same version number.
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    versions = scope_reports(project=project, academic_year=academic_year, hub=hub)
    unfinished = versions.filter(status__in=UNFINISHED).order_by("-version").first()
    if unfinished is not None:
        return unfinished
    # Earlier builds that found nothing changed are not versions; their numbers are free.
    versions.filter(same_as__isnull=False).delete()
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    return NationalReport.objects.create(
        project=project,
        academic_year=academic_year,
        hub=hub,
        version=latest + 1,
        requested_by=requested_by,
    )


def rebuild_report(
    *,
    project: Project,
    academic_year: AcademicYear,
    hub: Hub | None = None,
    requested_by: User | None = None,
) -> NationalReport:
    """Request a new version and queue its build once the request is committed."""
    report = request_report(
        project=project, academic_year=academic_year, hub=hub, requested_by=requested_by
    )
    transaction.on_commit(lambda: queue_build(report))
    return report


def queue_build(report: NationalReport) -> None:
    """Queue the build; with no broker it runs here and now, and a failure is on the report."""
    try:
        current_app.tasks[BUILD_TASK].delay(
            report.project_id, report.academic_year_id, report.hub_id, report_id=report.pk
        )
    except Exception:
        logger.exception("Building report %s failed", report.pk)


def queue_pdfs(report_id: int) -> None:
    """Queue the build of a version's PDFs; a failure is recorded on the documents."""
    try:
        current_app.tasks[PDF_TASK].delay(report_id)
    except Exception:
        logger.exception("Building the PDFs of report %s failed", report_id)


def fingerprint(figures: dict) -> str:
    """The SHA-256 of the figures' JSON (keys sorted), without the time of collation."""
    kept = {key: value for key, value in figures.items() if key not in UNFINGERPRINTED}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def request_report_by_ids(
    *, project_id: int, academic_year_id: int, hub_id: int | None = None
) -> NationalReport:
    """``request_report`` for ids, as tasks receive them; unknown ids raise ``ReportError``."""
    project = Project.objects.filter(pk=project_id).first()
    year = AcademicYear.objects.filter(pk=academic_year_id).first()
    hub = Hub.objects.filter(pk=hub_id).first() if hub_id is not None else None
    if project is None:
        raise ReportError(f"There is no project with id {project_id}.")
    if year is None:
        raise ReportError(f"There is no academic year with id {academic_year_id}.")
    if hub_id is not None and hub is None:
        raise ReportError(f"There is no hub with id {hub_id}.")
    return request_report(project=project, academic_year=year, hub=hub)


def request_year(*, academic_year: AcademicYear) -> list[NationalReport]:
    """Queue every report of a year: for each project running that year, the national report
    and one per hub that has groups of it that year (whatever their status)."""
    reports = []
    scopes = (
        WorkGroup.objects.filter(academic_year=academic_year, project__years=academic_year)
        .values_list("project_id", "hub_id")
        .distinct()
        .order_by()
    )
    hubs_by_project: dict[int, list[int]] = {}
    for project_id, hub_id in scopes:
        hubs_by_project.setdefault(project_id, []).append(hub_id)
    hubs = Hub.objects.in_bulk({hub for ids in hubs_by_project.values() for hub in ids})
    for project in Project.objects.running_in(academic_year).order_by("code"):
        reports.append(request_report(project=project, academic_year=academic_year))
        for hub_id in sorted(hubs_by_project.get(project.pk, [])):
            reports.append(
                request_report(project=project, academic_year=academic_year, hub=hubs[hub_id])
            )
    return reports


def build_report(*, report_id: int) -> NationalReport:
    """Collate a requested version and publish it; a version already done is left alone."""
    report = _start(report_id)
    if report.status == ReportStatus.DONE:
        return report
    try:
        figures = collate(
            Scope(report.project, report.academic_year, report.hub, now=report.started_at),
            on_progress=lambda percent: _record_progress(report.pk, percent),
        )
    except Exception as error:
        _record_failure(report.pk, error)
        raise
    return _publish(report.pk, figures)


def _start(report_id: int) -> NationalReport:
    report = (
        NationalReport.objects.select_related("project", "academic_year", "hub")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise ReportError(f"There is no report with id {report_id}.")
    if report.status != ReportStatus.DONE:
        report.status = ReportStatus.RUNNING
        report.progress = 0
        report.error = ""
        report.started_at = report.heartbeat_at = timezone.now()
        report.save(update_fields=["status", "progress", "error", "started_at", "heartbeat_at"])
    return report


def _record_progress(report_id: int, percent: int) -> None:
    """Saved at once (outside any transaction) so the progress page sees it during the run."""
    NationalReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        progress=percent, heartbeat_at=timezone.now()
    )


def stalled_reports(*, now: datetime.datetime | None = None) -> QuerySet:
    """Unfinished versions with no sign of life for ``REPORT_STALE_AFTER`` seconds."""
    silent_since = (now or timezone.now()) - datetime.timedelta(seconds=settings.REPORT_STALE_AFTER)
    return NationalReport.objects.filter(status__in=UNFINISHED, heartbeat_at__lt=silent_since)


@transaction.atomic
def requeue_stalled(*, now: datetime.datetime | None = None) -> list[NationalReport]:
    """Queue the build of every stalled version again; returns them.

    Each is put back to ``queued`` with a fresh heartbeat by a conditional update, so two
    watchdogs never both requeue it, and it is not requeued again while it waits for a worker.
    If the first build turns out to be alive after all, both finish and ``_publish`` keeps one
    current version.
    """
    now = now or timezone.now()
    requeued = []
    for report in stalled_reports(now=now).order_by("pk"):
        claimed = NationalReport.objects.filter(
            pk=report.pk, status=report.status, heartbeat_at=report.heartbeat_at
        ).update(status=ReportStatus.QUEUED, progress=0, heartbeat_at=now)
        if claimed:
            logger.warning("Report %s was %s, silent; queued again", report.pk, report.status)
            requeued.append(report)
            transaction.on_commit(lambda r=report: queue_build(r))
    return requeued


def _record_failure(report_id: int, error: Exception) -> None:
    reason = str(error) or type(error).__name__
    # The database itself may be what failed; then there is nothing to record and the task
    # retries.
    with contextlib.suppress(Exception):
        NationalReport.objects.filter(pk=report_id).exclude(status=ReportStatus.DONE).update(
            status=ReportStatus.FAILED, error=f"The collation stopped: {reason}"
        )


@transaction.atomic
def _publish(report_id: int, figures: dict) -> NationalReport:
    """Write the figures, mark done and make it current — all or nothing; or, if the figures
    are the current version's, record the check on it and publish nothing."""
    report = NationalReport.objects.select_for_update().get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report  # another run of the same version finished first
    # Serialise publication within a project so "newest done version is current" holds.
    Project.objects.select_for_update().filter(pk=report.project_id).exists()
    versions = NationalReport.objects.filter(
        project_id=report.project_id,
        academic_year_id=report.academic_year_id,
        hub_id=report.hub_id,
    ).versions()
    now = timezone.now()
    print_ = fingerprint(figures)
    current = versions.filter(is_current=True).first()
    if current is not None and current.version < report.version and current.fingerprint == print_:
        return _record_unchanged(report, current, print_, now)
    newer_done = versions.filter(status=ReportStatus.DONE, version__gt=report.version).exists()
    if not newer_done:
        versions.filter(is_current=True).update(is_current=False)
    report.figures = figures
    report.fingerprint = print_
    report.status = ReportStatus.DONE
    report.progress = 100
    report.error = ""
    report.generated_at = now
    report.is_current = not newer_done
    report.save()
    if pdfs_on_publish():
        transaction.on_commit(lambda: queue_pdfs(report.pk))
    return report


def pdfs_on_publish() -> bool:
    """Build a version's PDFs when it is published: by default only where workers run tasks."""
    configured = getattr(settings, "REPORT_PDFS_ON_PUBLISH", None)
    if configured is not None:
        return bool(configured)
    return not current_app.conf.task_always_eager


def _record_unchanged(report, current, print_: str, now) -> NationalReport:
    NationalReport.objects.filter(pk=current.pk).update(checked_at=now)
    report.same_as = current
    report.fingerprint = print_
    report.status = ReportStatus.DONE
    report.progress = 100
    report.error = ""
    report.generated_at = now
    report.save()
    logger.info("Report %s: figures unchanged since version %s", report.pk, current.version)
    return report
