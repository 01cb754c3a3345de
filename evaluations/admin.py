"""Admin for groups' evaluations (their hub's) and national reports (national team, read-only).

Hub staff review submitted evaluations here: the status only moves through the "Sign off" and
"Return to the lead" actions, which call the evaluation services.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join, mark_safe

from core import audit, scoping
from core.admin import HubChoicesFilter, HubScopedAdmin, HubScopedInline, NationalOnlyAdmin
from core.admin_tools import (
    Attention,
    HistoryProtectedMixin,
    ReadOnlyAdminMixin,
    needs_attention,
    object_form_view,
)
from core.text import MAX_TEXT
from evaluations import services
from evaluations.models import (
    EvaluationStatus,
    NationalReport,
    OutcomeEvaluation,
    WorkGroupEvaluation,
)
from evaluations.reports.services import rebuild_report
from workgroups.models import (
    ATTENDED_STATUSES,
    TAKEN_PLACE_STATUSES,
    Attendance,
    PlaceStatus,
)

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


class OutcomeEvaluationInline(ReadOnlyAdminMixin, HubScopedInline, admin.TabularInline):
    """The lead's rating and evidence per outcome area: read here, written by the lead."""

    template = "admin/edit_inline/readonly_tabular.html"
    model = OutcomeEvaluation
    fields = ("area", "rating", "evidence")
    readonly_fields = fields
    verbose_name_plural = "ratings and evidence by outcome area"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What should the lead change?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="The lead is emailed this comment and sees it beside the evaluation.",
    )

    def __init__(self, evaluation=None, data=None):
        super().__init__(data)
        self.evaluation = evaluation

    def save(self, *, by) -> str:
        comment = self.cleaned_data["comment"]
        with audit.by(by, reason=comment):
            services.return_evaluation(self.evaluation, by=by, comment=comment)
        return f"The evaluation of {self.evaluation.work_group} is returned to its lead."


class SignOffForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read the ratings and evidence, and the hub accepts them",
        help_text="Once signed off, the evaluation and the group's session records are fixed "
        "as national evidence; only the national team can reopen them.",
    )

    def __init__(self, evaluation, data=None):
        super().__init__(data)
        self.evaluation = evaluation

    def save(self, *, by) -> str:
        with audit.by(by):
            services.sign_off_evaluation(self.evaluation, by=by)
        return f"The evaluation of {self.evaluation.work_group} is signed off; its leads are told."


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Recorded in the evaluation's history and emailed to the lead.",
    )

    def __init__(self, evaluation, data=None):
        super().__init__(data)
        self.evaluation = evaluation

    def save(self, *, by) -> str:
        reason = self.cleaned_data["reason"]
        with audit.by(by, reason=reason):
            services.reopen_evaluation(self.evaluation, by=by, reason=reason)
        return f"The evaluation of {self.evaluation.work_group} is reopened and back with its lead."


def delivery_figures(group) -> dict:
    """What the system itself knows of the group's year, beside the lead's account of it."""
    held = group.sessions.filter(cancelled=False, starts_at__lt=timezone.now())
    marks = Attendance.objects.filter(session__in=held).aggregate(
        total=Count("pk"), attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES))
    )
    places = group.places.aggregate(
        taken=Count("pk", filter=Q(status__in=TAKEN_PLACE_STATUSES)),
        completed=Count("pk", filter=Q(status=PlaceStatus.COMPLETED)),
        not_completed=Count("pk", filter=Q(status=PlaceStatus.NOT_COMPLETED)),
    )
    rate = round(100 * marks["attended"] / marks["total"]) if marks["total"] else None
    return {
        "Sessions held": held.count(),
        "Schools with a place": places["taken"],
        "Schools completed": places["completed"],
        "Schools that did not complete": places["not_completed"],
        "Attendance": f"{rate}% of {marks['total']} marks" if rate is not None else "none taken",
    }


@admin.register(WorkGroupEvaluation)
class WorkGroupEvaluationAdmin(HistoryProtectedMixin, HubScopedAdmin):
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
        ("work_group__hub", HubChoicesFilter),
        ("work_group__project", HubChoicesFilter),
        "work_group__academic_year",
    )
    list_select_related = (
        "work_group__project",
        "work_group__hub",
        "work_group__academic_year",
    )
    search_fields = ("work_group__name", "work_group__project__title", "key_findings")
    fields = (
        "work_group",
        "status",
        "figures",
        "key_findings",
        "recommendations",
        "review_comment",
        "author",
        "submitted_at",
        "signed_off_at",
        "signed_off_by",
        "updated_at",
    )
    # The lead writes it; the hub reviews it; nobody edits it here.
    readonly_fields = fields
    inlines = [OutcomeEvaluationInline]
    actions = ["export_as_csv", "sign_off", "return_to_lead"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """The page is for reading; reviewing (sign off, return, reopen) has its own pages."""
        return False

    def may_review(self, request, obj) -> bool:
        return self.may_edit(request, obj)

    def delete_refusal(self, evaluation) -> str | None:
        return (
            "An evaluation is part of the group's evidence and can't be deleted. "
            "Return it to the lead with a comment instead."
        )

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<path:object_id>/sign-off/", wrap(self.sign_off_view), name="evaluation_sign_off"
            ),
            path("<path:object_id>/return/", wrap(self.return_view), name="evaluation_return"),
            path("<path:object_id>/reopen/", wrap(self.reopen_view), name="evaluation_reopen"),
            *super().get_urls(),
        ]

    @admin.action(description="Sign off the selected evaluations")
    def sign_off(self, request, queryset):
        done = []
        for evaluation in queryset.select_related("work_group"):
            try:
                with audit.by(request.user):
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
        form = ReturnForm(data=request.POST if "apply" in request.POST else None)
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
            comment = form.cleaned_data["comment"]
            try:
                with audit.by(request.user, reason=comment):
                    services.return_evaluation(evaluation, by=request.user, comment=comment)
            except services.EvaluationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                returned += 1
        if returned:
            self.message_user(
                request, f"Returned {returned} evaluation(s) to the lead.", messages.SUCCESS
            )
        return None

    def sign_off_view(self, request, object_id):
        return object_form_view(
            self,
            request,
            object_id,
            form_class=SignOffForm,
            title="Sign off",
            submit="Sign off",
            allowed=self.may_review,
        )

    def return_view(self, request, object_id):
        return object_form_view(
            self,
            request,
            object_id,
            form_class=ReturnForm,
            title="Return to the lead",
            submit="Return to the lead",
            allowed=self.may_review,
        )

    def reopen_view(self, request, object_id):
        if not scoping.is_national(request.user):
            raise Http404("Not found.")
        return object_form_view(
            self,
            request,
            object_id,
            form_class=ReopenForm,
            title="Reopen a signed-off evaluation",
            submit="Reopen",
            allowed=self.may_review,
        )

    @admin.display(description="what the system recorded")
    def figures(self, evaluation):
        rows = delivery_figures(evaluation.work_group)
        return format_html_join(mark_safe("<br>"), "{}: {}", rows.items())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        evaluation = self.get_object(request, object_id)
        links = []
        if evaluation is not None and evaluation.status == EvaluationStatus.SUBMITTED:
            links = [
                ("evaluation_sign_off", "Sign off"),
                ("evaluation_return", "Return with a comment"),
            ]
        elif (
            evaluation is not None
            and evaluation.status == EvaluationStatus.SIGNED_OFF
            and scoping.is_national(request.user)
        ):
            links = [("evaluation_reopen", "Reopen with a reason")]
        review_links = [
            (reverse(f"admin:{name}", args=[evaluation.pk]), label) for name, label in links
        ]
        extra_context = {**(extra_context or {}), "review_links": review_links}
        return super().change_view(request, object_id, form_url, extra_context)

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
        "checked_at",
    )
    list_filter = ("status", "academic_year", ("project", RELATED_ONLY))
    list_select_related = ("project", "academic_year", "hub")
    search_fields = ("project__title", "project__code")
    actions = ["rebuild"]

    def get_queryset(self, request):
        # Builds that found their figures unchanged are not versions: they are left out.
        return super().get_queryset(request).versions()

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


@needs_attention
def evaluations_attention(request) -> list[Attention]:
    if not scoping.can_use_admin(request.user):
        return []
    submitted = WorkGroupEvaluation.objects.visible_to(request.user).filter(
        status=EvaluationStatus.SUBMITTED
    )
    return [
        Attention(
            "Evaluations awaiting your sign-off",
            submitted.count(),
            reverse("admin:evaluations_workgroupevaluation_changelist")
            + "?status__exact=submitted",
        )
    ]
