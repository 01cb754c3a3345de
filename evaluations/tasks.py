"""Celery tasks for national reports: thin wrappers that load ids and call the services.

All are acknowledged late and requeued if the worker dies, so a collation killed half-way is
run again; the services make that rerun produce the one current version. A version's PDFs are
built by their own task, queued when the version is published.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from evaluations.reports import documents, services
from projects.models import AcademicYear

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(**RETRY)
def collate_national_report(
    project_id: int, academic_year_id: int, hub_id: int | None = None, report_id: int | None = None
) -> int:
    """Build the report of a project and year (one hub's, with ``hub_id``); returns its id.

    With ``report_id`` it builds that requested version; without, it requests one first (or
    adopts the scope's version already queued or running).
    """
    if report_id is None:
        report_id = services.request_report_by_ids(
            project_id=project_id, academic_year_id=academic_year_id, hub_id=hub_id
        ).pk
    return services.build_report(report_id=report_id).pk


@shared_task(**RETRY)
def build_report_pdfs(report_id: int) -> int:
    """Render and store the PDFs of a published version; returns how many editions it has."""
    return len(documents.build_pdfs(report_id=report_id))


@shared_task(**RETRY)
def collate_year(academic_year_id: int) -> int:
    """Queue every report of a year: per project, national plus one per hub with groups."""
    year = AcademicYear.objects.filter(pk=academic_year_id).first()
    if year is None:
        raise services.ReportError(f"There is no academic year with id {academic_year_id}.")
    reports = services.request_year(academic_year=year)
    for report in reports:
        transaction.on_commit(
            lambda r=report: collate_national_report.delay(
                r.project_id, r.academic_year_id, r.hub_id, report_id=r.pk
            )
        )
    return len(reports)


@shared_task(**RETRY)
def collate_current_year() -> int:
    """The nightly rebuild (Celery beat): every report of the current academic year. A report
    whose figures have not changed keeps its version (see ``services``)."""
    year = AcademicYear.objects.current()
    return collate_year(year.pk) if year else 0


@shared_task(**RETRY)
def requeue_stalled_reports() -> int:
    """Every minute (Celery beat): queue again the builds whose worker died or never came, and
    the PDFs of current versions that are missing or stuck."""
    return len(services.requeue_stalled()) + len(documents.requeue_missing())
