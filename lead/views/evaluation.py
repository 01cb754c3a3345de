"""The end-of-year evaluation, with the figures the system already knows beside it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.utils.functional import cached_property
from django.views.generic import FormView

from evaluations import services as evaluation_services
from evaluations.forms import EvaluationForm
from evaluations.models import IMPACT_DESCRIPTORS, ImpactRating, WorkGroupEvaluation
from lead import queries
from lead.views.groups import LeadGroupMixin, group_url


class EvaluationView(LeadGroupMixin, FormView):
    """The end-of-year evaluation, with the figures the system already knows beside it."""

    template_name = "lead/evaluation_form.html"
    form_class = EvaluationForm

    @cached_property
    def group(self):
        group = super().group
        if not group.project.rules.evaluation:  # a community has no end-of-year evaluation
            raise Http404("This group has no end-of-year evaluation.")
        return group

    @cached_property
    def evaluation(self):
        return WorkGroupEvaluation.objects.filter(work_group=self.group).first()

    @cached_property
    def areas(self):
        return list(self.group.project.outcome_areas.all())

    @cached_property
    def outcomes(self):
        if self.evaluation is None:
            return []
        return list(self.evaluation.outcomes.select_related("area"))

    @property
    def editable(self) -> bool:
        return (
            self.evaluation is None
            or self.evaluation.status in evaluation_services.EDITABLE_STATUSES
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "areas": self.areas}

    def get_initial(self):
        return EvaluationForm.initial_for(self.evaluation, self.outcomes)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.editable:
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            evaluation=self.evaluation,
            editable=self.editable,
            figures=queries.evaluation_figures(self.group),
            scale=[(rating, IMPACT_DESCRIPTORS[rating]) for rating in ImpactRating],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            evaluation = evaluation_services.save_evaluation(
                work_group=self.group,
                by=self.request.user,
                key_findings=form.cleaned_data["key_findings"],
                recommendations=form.cleaned_data["recommendations"],
                ratings=form.ratings(),
            )
        except evaluation_services.EvaluationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        if self.request.POST.get("action") != "submit":
            messages.success(self.request, "Your draft evaluation is saved.")
            return HttpResponseRedirect(self.request.path)
        return self._submit(evaluation, form)

    def _submit(self, evaluation, form):
        try:
            evaluation_services.submit_evaluation(evaluation, by=self.request.user)
        except evaluation_services.EvaluationError as error:
            messages.warning(self.request, "Your draft is saved, but it is not submitted yet.")
            for reason in error.details:
                field = reason.field if reason.field in form.fields else f"rating_{reason.field}"
                if field in form.fields:
                    form.add_error(field, reason.message)
                else:
                    form.add_error(None, str(reason))
            return self.form_invalid(form)
        messages.success(self.request, "Your evaluation is submitted to the hub for sign-off.")
        return HttpResponseRedirect(group_url(self.group))
