"""A report version's PDFs: built by a task once the version is published, kept with it.

Rendering a long report takes seconds, so it never happens in a request: ``build_pdfs`` runs
in a Celery task queued when a version is published, and the download serves the stored bytes.
A national report has two editions (the full one, and the national figures for hub staff);
a hub's report has one. Building is safe to repeat: an edition already built is left alone, and
one left "building" by a killed worker is built again when the task is redelivered or the
watchdog queues it (``requeue_missing``). A failure is kept on the document with its reason,
and the download page says so and offers to try again.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from evaluations.models import (
    DocumentStatus,
    NationalReport,
    ReportDocument,
    ReportEdition,
    ReportStatus,
)
from evaluations.reports import render
from evaluations.reports.services import ReportError, queue_pdfs

logger = logging.getLogger(__name__)


def editions_of(report: NationalReport) -> list[str]:
    if report.hub_id is None:
        return [ReportEdition.FULL, ReportEdition.NATIONAL_FIGURES]
    return [ReportEdition.FULL]


def build_pdfs(*, report_id: int) -> list[ReportDocument]:
    """Build every edition of a published version that is not built yet; returns them."""
    report = (
        NationalReport.objects.versions()
        .select_related("project", "academic_year", "hub")
        .filter(pk=report_id, status=ReportStatus.DONE)
        .first()
    )
    if report is None:
        raise ReportError(f"There is no finished report version with id {report_id}.")
    national = render.national_headline(report)
    return [_build(report, edition, national) for edition in editions_of(report)]


def _build(report: NationalReport, edition: str, national: dict | None) -> ReportDocument:
    document = _claim(report, edition)
    if document.status == DocumentStatus.DONE:
        return document
    try:
        pdf, pages = render.render_pdf(report, edition=edition, national=national)
    except Exception as error:
        logger.exception("The %s PDF of report %s failed", edition, report.pk)
        reason = str(error) or type(error).__name__
        ReportDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED, error=f"The PDF could not be built: {reason}"
        )
    else:
        ReportDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.DONE,
            pdf=pdf,
            size=len(pdf),
            pages=pages,
            error="",
            built_at=timezone.now(),
        )
    document.refresh_from_db()
    return document


@transaction.atomic
def _claim(report: NationalReport, edition: str) -> ReportDocument:
    """The edition's document, marked building unless it is built already."""
    document, created = ReportDocument.objects.select_for_update().get_or_create(
        report=report, edition=edition
    )
    if not created and document.status != DocumentStatus.DONE:
        document.status = DocumentStatus.BUILDING
        document.error = ""
        document.started_at = timezone.now()
        document.save(update_fields=["status", "error", "started_at"])
    return document


def retry(*, report: NationalReport) -> bool:
    """Queue the PDFs again (a failed or missing edition); ``False`` while one is building."""
    building = ReportDocument.objects.filter(
        report=report, status=DocumentStatus.BUILDING, started_at__gte=_stale_before()
    )
    if building.exists():
        return False
    transaction.on_commit(lambda: queue_pdfs(report.pk))
    return True


def _stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.REPORT_STALE_AFTER)


def missing(*, now: datetime.datetime | None = None):
    """Current versions published a while ago whose PDFs are missing or stuck building."""
    before = _stale_before(now)
    stuck = ReportDocument.objects.filter(
        report=OuterRef("pk"), status=DocumentStatus.BUILDING, started_at__lt=before
    )
    built = ReportDocument.objects.filter(report=OuterRef("pk"))
    return NationalReport.objects.versions().filter(
        Q(Exists(stuck)) | ~Q(Exists(built)),
        is_current=True,
        status=ReportStatus.DONE,
        generated_at__lt=before,
    )


def requeue_missing(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue the PDFs of every current version that should have them by now; returns ids."""
    ids = list(missing(now=now).values_list("pk", flat=True)[:100])
    for report_id in ids:
        transaction.on_commit(lambda r=report_id: queue_pdfs(r))
    return ids
