"""The reports area: the national team sees every report, hub staff their own hub's view.

Reports outside a user's reach are "not found" (404), as is the whole area for anyone who is
neither national team nor hub staff. Pages and downloads read the stored figures only.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import DetailView, TemplateView

from core import scoping
from evaluations.models import NationalReport, ReportStatus
from evaluations.reports import render
from evaluations.reports.forms import RebuildForm
from evaluations.reports.services import rebuild_report
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
    "academic_year_id",
]


class ReportsAreaMixin(LoginRequiredMixin):
    """Only the national team and hub staff may use the reports area; others get 404."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (scoping.is_national(user) or scoping.is_hub_staff(user)):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ReportListView(ReportsAreaMixin, TemplateView):
    """Projects of a year with their reports: national scope for the national team, the
    user's hubs' views for hub staff."""

    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs):
        years = list(AcademicYear.objects.all())
        year = self._chosen_year(years)
        return super().get_context_data(
            years=years,
            year=year,
            rows=self._rows(year) if year else [],
            is_national=scoping.is_national(self.request.user),
            **kwargs,
        )

    def _chosen_year(self, years):
        wanted = self.request.GET.get("year", "")
        chosen = next((year for year in years if str(year.pk) == wanted), None)
        return chosen or AcademicYear.objects.current()

    def _rows(self, year):
        user = self.request.user
        reports = (
            NationalReport.objects.visible_to(user)
            .filter(academic_year=year)
            .select_related("project", "hub")
            .only(*LIST_FIELDS, "project__title", "project__code", "hub__name")
            .order_by("project__title", "hub__name", "-version")
        )
        if scoping.is_national(user):
            reports = reports.filter(hub__isnull=True)
        rows: dict[tuple, dict] = {}
        if scoping.is_national(user):
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


class ReportDetailView(VisibleReportMixin, DetailView):
    """One version of a report; while it is being built, its progress."""

    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs):
        report = self.object
        context = super().get_context_data(**kwargs)
        same_scope = self.visible().filter(
            project=report.project_id, academic_year=report.academic_year_id, hub=report.hub_id
        )
        context["versions"] = list(same_scope.only(*LIST_FIELDS).order_by("-version"))
        context["current"] = next((v for v in context["versions"] if v.is_current), None)
        context["in_progress"] = next(
            (
                v
                for v in context["versions"]
                if v.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
            ),
            None,
        )
        context["is_national"] = scoping.is_national(self.request.user)
        if report.status == ReportStatus.DONE:
            context.update(render.report_context(report))
        if report.hub_id is None:
            context["hub_views"] = (
                self.visible()
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
        return context


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
                "url": reverse("reports:detail", args=[report.pk]),
            }
        )


class ReportDownloadView(VisibleReportMixin, DetailView):
    """The CSV or the PDF of a finished report."""

    kind = "csv"

    def get_queryset(self):
        return super().get_queryset().filter(status=ReportStatus.DONE)

    def render_to_response(self, context):
        report = self.object
        name = slugify(
            f"{report.project.code} {report.academic_year.label} "
            f"{report.hub.name if report.hub else 'national'} v{report.version}"
        )
        if self.kind == "pdf":
            response = HttpResponse(render.render_pdf(report), content_type="application/pdf")
        else:
            response = HttpResponse(render.render_csv(report), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.kind}"'
        return response


class ReportRebuildView(ReportsAreaMixin, View):
    """The national team starts a rebuild; the new version's page shows its progress."""

    http_method_names = ["post"]

    def post(self, request):
        if not scoping.is_national(request.user):
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
        messages.success(request, f"Version {report.version} of this report is being built.")
        return redirect("reports:detail", pk=report.pk)
