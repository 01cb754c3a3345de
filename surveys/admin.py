"""The national team defines each project's survey for a year; hub staff may read it.

Nobody's answers are listed here: leads and hub staff see averages of five or more people
(their group's page), the national team the report's figures. Free-text answers are read by
the national team as a download without names or groups. Once anyone has answered, the
survey's statements are fixed, so start and end (and one year and the next) stay comparable.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core import scoping
from core.admin import ReferenceDataAdmin, RulesPermissionsMixin
from core.admin_tools import HistoryProtectedMixin, object_form_view
from core.csv import csv_response
from projects.models import AcademicYear
from surveys import services
from surveys.models import FreeTextAnswer, FreeTextQuestion, Statement, Survey

LOCKED = (
    "People have answered this survey, so its statements and questions can no longer change: "
    "their start and end answers must be to the same statements."
)


class LockedOnceAnsweredInline(RulesPermissionsMixin, admin.TabularInline):
    """National team only, and only until the first answer."""

    hub_staff_may_edit = False
    extra = 0

    def may_edit(self, request, obj=None) -> bool:
        return super().may_edit(request, obj) and not services.has_answers(obj)


class StatementInline(LockedOnceAnsweredInline):
    model = Statement
    fields = ("area", "text", "order")
    ordering = ("area__order", "order", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")


class FreeTextQuestionInline(LockedOnceAnsweredInline):
    model = FreeTextQuestion
    fields = ("text", "occasion", "order")


class ReuseForm(forms.Form):
    academic_year = forms.ModelChoiceField(
        label="Year", queryset=AcademicYear.objects.order_by("-starts_on")
    )

    def __init__(self, survey, data=None):
        super().__init__(data)
        self.survey = survey
        self.fields["academic_year"].queryset = AcademicYear.objects.exclude(
            pk=survey.academic_year_id
        ).order_by("-starts_on")

    def save(self, *, by) -> str:
        copy = services.reuse_survey(
            survey=self.survey, academic_year=self.cleaned_data["academic_year"], by=by
        )
        return (
            f"Copied to {copy.academic_year} with its statements and questions. Check it, "
            "then tick “ready for participants”."
        )


@admin.register(Survey)
class SurveyAdmin(HistoryProtectedMixin, ReferenceDataAdmin):
    list_display = (
        "title",
        "project",
        "academic_year",
        "ready",
        "statement_count",
        "started",
        "sent",
    )
    list_filter = ("academic_year", "ready")
    list_select_related = ("project", "academic_year")
    search_fields = ("title", "project__title", "project__code")
    autocomplete_fields = ("project",)
    readonly_fields = ("reused_from", "reuse_link")
    inlines = [StatementInline, FreeTextQuestionInline]
    actions = ["export_as_csv", "download_free_text"]
    ordering = ("project__title", "-academic_year__starts_on")

    def get_queryset(self, request):
        return services.with_response_counts(super().get_queryset(request)).annotate(
            statement_total=Count("statements", distinct=True)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if services.has_answers(obj):
            fields += ["project", "academic_year"]
        return fields

    def get_fields(self, request, obj=None):
        fields = ["project", "academic_year", "title", "introduction", "ready"]
        return [*fields, "reused_from", "reuse_link"] if obj else fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        survey = self.get_object(request, object_id)
        if survey is not None and services.has_answers(survey) and request.method == "GET":
            messages.info(request, LOCKED)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        survey = form.instance
        if survey.ready and not survey.statements.exists():
            messages.warning(
                request, "Participants will see this survey once it has at least one statement."
            )

    def delete_refusal(self, survey) -> str | None:
        if services.has_answers(survey):
            return "People have answered this survey, so it is kept. Untick “ready” to stop it."
        return None

    @admin.display(description="statements", ordering="statement_total")
    def statement_count(self, survey):
        return survey.statement_total

    @admin.display(description="answering or answered", ordering="started")
    def started(self, survey):
        return survey.started

    @admin.display(description="sent", ordering="sent")
    def sent(self, survey):
        return survey.sent

    @admin.display(description="another year")
    def reuse_link(self, survey):
        if survey.pk is None:
            return "-"
        url = reverse("admin:survey_reuse", args=[survey.pk])
        return format_html('<a href="{}">Reuse this survey for another year</a>', url)

    def get_urls(self):
        reuse = self.admin_site.admin_view(self.reuse_view)
        return [path("<path:object_id>/reuse/", reuse, name="survey_reuse"), *super().get_urls()]

    def reuse_view(self, request, object_id):
        return object_form_view(
            self,
            request,
            object_id,
            form_class=ReuseForm,
            title="Reuse this survey for another year",
            intro="The project gets a copy of this survey for the year you choose, with the "
            "same statements and questions, not yet ready for participants.",
            submit="Copy the survey",
            allowed=lambda request, obj: scoping.is_national(request.user),
        )

    @admin.action(description="Download free-text answers (no names)")
    def download_free_text(self, request, queryset):
        if not scoping.is_national(request.user):
            raise PermissionDenied
        answers = (
            FreeTextAnswer.objects.filter(
                response__survey__in=queryset, response__submitted_at__isnull=False
            )
            .exclude(text="")
            .select_related(
                "question", "response__survey__academic_year", "response__work_group__hub"
            )
            .order_by("response__survey", "question__order", "question", "response__occasion")
        )
        rows = (
            (
                answer.response.survey.title,
                answer.response.survey.academic_year.label,
                answer.response.work_group.hub.name,
                answer.response.get_occasion_display(),
                answer.question.text,
                answer.text,
            )
            for answer in answers
        )
        header = ["Survey", "Year", "Hub", "Occasion", "Question", "Answer"]
        filename = f"survey-free-text-{timezone.localdate().isoformat()}.csv"
        return csv_response(filename, header, rows)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not scoping.is_national(request.user):
            actions.pop("download_free_text", None)
        return actions
