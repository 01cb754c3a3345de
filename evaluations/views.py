"""The reports area: the national team sees everything; hub staff their own hubs and the nation.

Hub staff read their own hubs' reports in full and the national reports as national figures
(no other hub's details, see ``reports.editions``); any other hub's report, or hub page, is
"not found" (404), as is the whole area for anyone who is neither national team nor hub staff.
Report pages and downloads read the stored figures and the stored PDF only; the reach page
counts live, with a fixed number of aggregate queries.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import DetailView, TemplateView

from core import scoping
from core.csv import csv_response
from evaluations.models import (
    DocumentStatus,
    NationalReport,
    ReportDocument,
    ReportStatus,
)
from evaluations.reports import definitions, documents, editions, hubs, reach, render
from evaluations.reports.forms import RebuildForm
from evaluations.reports.services import rebuild_report
from participants.models import Hub
from projects.models import AcademicYear, Project

LIST_FIELDS = [
    "pk",
    "project_id",
    "hub_id",
    "version",
    "status",
    "progress",
    "is_current",
    "generated_at",
    "checked_at",
    "academic_year_id",
    "same_as_id",
]


class ReportsAreaMixin(LoginRequiredMixin):
    """Only the national team and hub staff may use the reports area; others get 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (scoping.is_national(user) or scoping.is_hub_staff(user)):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def is_national(self) -> bool:
        return scoping.is_national(self.request.user)

    def chosen_year(self, years: list[AcademicYear]) -> AcademicYear | None:
        wanted = self.request.GET.get("year", "")
        chosen = next((year for year in years if str(year.pk) == wanted), None)
        return chosen or AcademicYear.objects.current()

    def own_hubs(self) -> list[Hub]:
        """The hubs whose pages the user may open: every hub for the national team."""
        hubs_ = Hub.objects.order_by("name").only("pk", "name", "slug")
        if self.is_national:
            return list(hubs_)
        return list(hubs_.filter(pk__in=scoping.staff_hub_ids(self.request.user)))


class ReportListView(ReportsAreaMixin, TemplateView):
    """Projects of a year with their reports: the national ones, and for hub staff their own
    hubs' too."""

    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs):
        years = list(AcademicYear.objects.all())
        year = self.chosen_year(years)
        return super().get_context_data(
            years=years,
            year=year,
            rows=self._rows(year) if year else [],
            is_national=self.is_national,
            hubs=self.own_hubs(),
            **kwargs,
        )

    def _rows(self, year):
        user = self.request.user
        reports = (
            NationalReport.objects.visible_to(user)
            .versions()
            .filter(academic_year=year)
            .select_related("project", "hub")
            .only(*LIST_FIELDS, "project__title", "project__code", "hub__name")
            .order_by("project__title", "hub__name", "-version")
        )
        if self.is_national:
            reports = reports.filter(hub__isnull=True)
        rows: dict[tuple, dict] = {}
        for project in Project.objects.running_in(year).order_by("title"):
            rows[(project.pk, None)] = {"project": project, "hub": None}
        for report in reports:
            row = rows.setdefault(
                (report.project_id, report.hub_id), {"project": report.project, "hub": report.hub}
            )
            row.setdefault("latest", report)
            if report.is_current:
                row["current"] = report
        return sorted(rows.values(), key=lambda row: (row["project"].title, str(row["hub"] or "")))


class VisibleReportMixin(ReportsAreaMixin):
    def visible(self):
        return NationalReport.objects.visible_to(self.request.user)

    def get_queryset(self):
        return self.visible().select_related("project", "academic_year", "hub", "requested_by")

    def edition(self, report):
        return editions.edition_for(self.request.user, report)


class ReportDetailView(VisibleReportMixin, DetailView):
    """One version of a report; while it is being built, its progress."""

    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.same_as_id:
            return self._unchanged(self.object)
        return self.render_to_response(self.get_context_data(object=self.object))

    def _unchanged(self, check):
        current = check.same_as
        messages.info(
            self.request,
            f"Nothing has changed since version {current.version}: it stays the current "
            f"version (figures checked {timezone.localtime(check.generated_at):%d %B %Y, %H:%M}).",
        )
        return redirect("reports:detail", pk=current.pk)

    def get_context_data(self, **kwargs):
        report = self.object
        context = super().get_context_data(**kwargs)
        same_scope = (
            self.visible()
            .versions()
            .filter(
                project=report.project_id, academic_year=report.academic_year_id, hub=report.hub_id
            )
        )
        context["versions"] = list(same_scope.only(*LIST_FIELDS).order_by("-version"))
        context["current"] = next((v for v in context["versions"] if v.is_current), None)
        context["in_progress"] = next(
            (v for v in context["versions"] if v.status in UNFINISHED and v.pk != report.pk),
            None,
        )
        context["is_national"] = self.is_national
        if report.status == ReportStatus.DONE:
            edition = self.edition(report)
            national = render.national_headline(report)
            context.update(render.report_context(report, edition=edition, national=national))
            context["pdf"] = (
                ReportDocument.objects.filter(report=report, edition=edition)
                .only("status", "size", "pages", "built_at")
                .first()
            )
        context["hub_views"] = self._hub_views(report)
        return context

    def _hub_views(self, report):
        if report.hub_id is not None:
            return []
        return (
            self.visible()
            .versions()
            .select_related("hub")
            .filter(
                project=report.project_id,
                academic_year=report.academic_year_id,
                hub__isnull=False,
                is_current=True,
            )
            .only(*LIST_FIELDS, "hub__name")
            .order_by("hub__name")
        )


UNFINISHED = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ReportStatusView(VisibleReportMixin, DetailView):
    """The status and progress of a report as JSON, for the progress bar."""

    def render_to_response(self, context):
        report = self.object
        return JsonResponse(
            {
                "status": report.status,
                "status_label": report.get_status_display(),
                "progress": report.progress,
                "error": report.error,
                "done": report.status == ReportStatus.DONE,
                "finished": report.status in (ReportStatus.DONE, ReportStatus.FAILED),
                "unchanged": report.same_as_id is not None,
                "url": reverse("reports:detail", args=[report.same_as_id or report.pk]),
            }
        )


def download_name(report: NationalReport, edition: str, extension: str) -> str:
    scope = report.hub.name if report.hub else "national"
    suffix = " national figures" if edition == "national_figures" else ""
    name = slugify(
        f"{report.project.code} {report.academic_year.label} {scope}{suffix} v{report.version}"
    )
    return f"{name}.{extension}"


class FinishedReportMixin(VisibleReportMixin):
    def get_queryset(self):
        return super().get_queryset().versions().filter(status=ReportStatus.DONE)


class ReportCsvView(FinishedReportMixin, DetailView):
    """Every figure of a finished report, in the reader's edition."""

    def render_to_response(self, context):
        report = self.object
        edition = self.edition(report)
        text = render.render_csv(report, edition=edition, national=render.national_headline(report))
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{download_name(report, edition, "csv")}"'
        )
        return response


class ReportPdfView(FinishedReportMixin, DetailView):
    """The stored PDF of a finished report, or a page saying why there is none yet."""

    template_name = "reports/report_pdf_pending.html"
    context_object_name = "report"

    def render_to_response(self, context):
        report = self.object
        edition = self.edition(report)
        stored = (
            ReportDocument.objects.filter(
                report=report, edition=edition, status=DocumentStatus.DONE
            )
            .values_list("pdf", flat=True)
            .first()
        )
        if stored is not None:
            response = HttpResponse(bytes(stored), content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="{download_name(report, edition, "pdf")}"'
            )
            return response
        context["document"] = ReportDocument.objects.filter(report=report, edition=edition).first()
        return super().render_to_response(context)


class ReportPdfRetryView(FinishedReportMixin, View):
    """Ask for a version's PDF to be built again (it failed, or was never built)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        report = get_object_or_404(self.get_queryset(), pk=pk)
        if documents.retry(report=report):
            messages.success(request, "The PDF is being built; it is usually ready in a minute.")
        else:
            messages.info(request, "The PDF is already being built.")
        return redirect("reports:pdf", pk=report.pk)


class ReportRebuildView(ReportsAreaMixin, View):
    """The national team starts a rebuild; the new version's page shows its progress."""

    http_method_names = ["post"]

    def post(self, request):
        if not self.is_national:
            raise Http404
        form = RebuildForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That report could not be rebuilt: choose a project and year.")
            return redirect("reports:list")
        report = rebuild_report(
            project=form.cleaned_data["project"],
            academic_year=form.cleaned_data["academic_year"],
            hub=form.cleaned_data["hub"],
            requested_by=request.user,
        )
        report.refresh_from_db()
        if report.same_as_id is None:
            messages.success(request, f"Version {report.version} of this report is being built.")
        return redirect("reports:detail", pk=report.pk)


# Reach across projects ----------------------------------------------------------------------


class ReachMixin(ReportsAreaMixin):
    def chosen_year(self, years):
        wanted = self.request.GET.get("year", "")
        chosen = next((year for year in years if str(year.pk) == wanted), None)
        return chosen or reach.default_year(AcademicYear.objects.current())

    def reach(self):
        years = list(AcademicYear.objects.order_by("starts_on"))
        year = self.chosen_year(years)
        shown = reach.years_to(year, years) if year else []
        hub_ids = None if self.is_national else set(scoping.staff_hub_ids(self.request.user))
        return years, year, reach.collate(shown, hub_ids=hub_ids)


class ReachView(ReachMixin, TemplateView):
    """The share of each area's state-funded schools engaged, by phase, year on year."""

    template_name = "reports/reach.html"

    def get_context_data(self, **kwargs):
        years, year, figures = self.reach()
        current = next((y for y in years if y.is_current), None)
        return super().get_context_data(
            years=sorted(years, key=lambda y: y.starts_on, reverse=True),
            year=year,
            current_year=current,
            figures=figures,
            charts=reach.reach_charts(figures),
            definitions=definitions.REACH,
            is_national=self.is_national,
            **kwargs,
        )


class ReachCsvView(ReachMixin, View):
    def get(self, request):
        _, year, figures = self.reach()
        label = year.label if year else "no-year"
        return csv_response(
            f"{slugify(f'reach {label}')}.csv", reach.REACH_HEADER, reach.reach_rows(figures)
        )


class HubReportView(ReportsAreaMixin, TemplateView):
    """One hub's year: its projects side by side, each beside the nation, and its reach."""

    template_name = "reports/hub_overview.html"

    def get_context_data(self, **kwargs):
        hub = get_object_or_404(Hub.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        years = list(AcademicYear.objects.order_by("starts_on"))
        year = self.chosen_year(years)
        shown = reach.years_to(year, years) if year else []
        figures = reach.collate(shown, hub_ids={hub.pk})
        return super().get_context_data(
            hub=hub,
            years=sorted(years, key=lambda y: y.starts_on, reverse=True),
            year=year,
            projects=hubs.projects_side_by_side(hub, year) if year else [],
            measures=hubs.MEASURES,
            reach=figures,
            hub_reach=next((row for row in figures["hubs"] if row["id"] == hub.pk), None),
            is_national=self.is_national,
            **kwargs,
        )
