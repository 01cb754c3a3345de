"""Admin for groups' evaluations (their hub's) and national reports (national team, read-only).

Hub staff review submitted evaluations here: the status only moves through the "Sign off" and
"Return to the lead" actions, which call the evaluation services.
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from core import scoping
from core.admin import HubScopedAdmin, HubScopedInline, NationalOnlyAdmin
from core.text import MAX_TEXT
from evaluations import services
from evaluations.models import NationalReport, OutcomeEvaluation, WorkGroupEvaluation
from evaluations.reports.services import rebuild_report

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


class OutcomeEvaluationInline(HubScopedInline, admin.TabularInline):
    model = OutcomeEvaluation
    fields = ("area", "rating", "evidence")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "area":
            # Read the areas once for every row's menu, not once per row.
            field.choices = list(field.choices)
        return field


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What should the lead change?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="The lead is emailed this comment and sees it beside the evaluation.",
    )


@admin.register(WorkGroupEvaluation)
class WorkGroupEvaluationAdmin(HubScopedAdmin):
    list_display = (
        "work_group",
        "project",
        "hub",
        "academic_year",
        "status",
        "submitted_at",
        "signed_off_at",
    )
    list_filter = (
        "status",
        ("work_group__hub", RELATED_ONLY),
        ("work_group__project", RELATED_ONLY),
        "work_group__academic_year",
    )
    list_select_related = (
        "work_group__project",
        "work_group__hub",
        "work_group__academic_year",
    )
    search_fields = ("work_group__name", "work_group__project__title", "key_findings")
    autocomplete_fields = ("work_group",)
    readonly_fields = (
        "status",
        "review_comment",
        "author",
        "submitted_at",
        "signed_off_at",
        "signed_off_by",
        "updated_at",
    )
    fields = ("work_group", "key_findings", "recommendations", *readonly_fields)
    inlines = [OutcomeEvaluationInline]
    actions = ["export_as_csv", "sign_off", "return_to_lead"]

    @admin.action(description="Sign off the selected evaluations")
    def sign_off(self, request, queryset):
        done = []
        for evaluation in queryset.select_related("work_group"):
            try:
                services.sign_off_evaluation(evaluation, by=request.user)
            except services.EvaluationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done.append(evaluation)
        if done:
            self.message_user(
                request,
                f"Signed off {len(done)} evaluation(s); the leads are told.",
                messages.SUCCESS,
            )

    @admin.action(description="Return the selected evaluations to the lead")
    def return_to_lead(self, request, queryset):
        """Ask for a comment on an intermediate page, then return each evaluation with it."""
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/evaluations/workgroupevaluation/return_to_lead.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Return evaluations to the lead",
                    "opts": self.model._meta,
                    "evaluations": queryset.select_related("work_group"),
                    "form": form,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        returned = 0
        for evaluation in queryset.select_related("work_group"):
            try:
                services.return_evaluation(
                    evaluation, by=request.user, comment=form.cleaned_data["comment"]
                )
            except services.EvaluationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                returned += 1
        if returned:
            self.message_user(
                request, f"Returned {returned} evaluation(s) to the lead.", messages.SUCCESS
            )
        return None

    @admin.display(description="project", ordering="work_group__project__title")
    def project(self, evaluation):
        return evaluation.work_group.project

    @admin.display(description="hub", ordering="work_group__hub__name")
    def hub(self, evaluation):
        return evaluation.work_group.hub

    @admin.display(description="year", ordering="work_group__academic_year__starts_on")
    def academic_year(self, evaluation):
        return evaluation.work_group.academic_year


@admin.register(NationalReport)
class NationalReportAdmin(NationalOnlyAdmin):
    """Reports are generated by the collation task; here the national team reads them."""

    list_display = (
        "project",
        "academic_year",
        "scope",
        "version",
        "status",
        "progress",
        "generated_at",
    )
    list_filter = ("status", "academic_year", ("project", RELATED_ONLY))
    list_select_related = ("project", "academic_year", "hub")
    search_fields = ("project__title", "project__code")
    actions = ["rebuild"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_rebuild_permission(self, request):
        return scoping.is_national(request.user)

    @admin.action(description="Rebuild the selected reports", permissions=["rebuild"])
    def rebuild(self, request, queryset):
        scopes = {(r.project, r.academic_year, r.hub) for r in queryset}
        for project, year, hub in scopes:
            rebuild_report(project=project, academic_year=year, hub=hub, requested_by=request.user)
        self.message_user(
            request, f"{len(scopes)} report(s) queued to be rebuilt.", messages.SUCCESS
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="scope", ordering="hub__name")
    def scope(self, report):
        return report.hub.name if report.hub_id else "National"
