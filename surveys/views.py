"""A participant's surveys, answering them a page at a time, and a group's averages.

Answering works without JavaScript: each page's "Save and continue" posts the page, and the
last page sends the answers. With it, ``static/js/surveys.js`` also saves each answer as it is
given (``AutosaveView``). Anyone who is not a participant of the group is told it does not
exist (404); the averages page is for the group's leads, its hub's staff and the national team.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from core.text import parse_id
from surveys import due, impact, rules, services
from surveys.forms import AnswersForm
from surveys.services import SurveyError


def answer_url(group_id: int, occasion: str, step: int | None = None) -> str:
    kwargs = {"group": group_id, "occasion": occasion}
    if step is None:
        return reverse("surveys:answer", kwargs=kwargs)
    return reverse("surveys:step", kwargs={**kwargs, "step": step})


class MySurveysView(LoginRequiredMixin, TemplateView):
    """The surveys of every group the person takes part in: open, coming or done."""

    template_name = "surveys/my_surveys.html"

    def get_context_data(self, **kwargs):
        items = due.surveys_for(self.request.user)
        return super().get_context_data(
            open_items=[item for item in items if item.is_due],
            other_items=[item for item in items if not item.is_due],
            **kwargs,
        )


class SheetMixin(LoginRequiredMixin):
    """The participant's sheet for the group and occasion in the URL; anyone else's is 404."""

    @cached_property
    def sheet(self) -> services.Sheet:
        group_id = parse_id(self.kwargs["group"])
        sheet = group_id and services.load_sheet(
            user=self.request.user, work_group_id=group_id, occasion=self.kwargs["occasion"]
        )
        if not sheet:
            raise Http404("No such survey.")
        return sheet

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.sheet  # noqa: B018  (404 before anything else)
        return super().dispatch(request, *args, **kwargs)


class AnswerStartView(SheetMixin, View):
    """``/surveys/<group>/<occasion>/``: to the first page with something left to answer."""

    def get(self, request, *args, **kwargs):
        sheet = self.sheet
        if sheet.submitted:
            return HttpResponseRedirect(reverse("surveys:done", kwargs=self.kwargs))
        step = sheet.first_unanswered_step().number if sheet.window.is_open else 1
        return HttpResponseRedirect(answer_url(sheet.work_group.pk, sheet.occasion, step))


class AnswerStepView(SheetMixin, TemplateView):
    """One page: an outcome area's statements, or the free-text questions (last)."""

    template_name = "surveys/answer_step.html"

    @cached_property
    def step(self) -> services.Step:
        number = self.kwargs["step"]
        if not 1 <= number <= len(self.sheet.steps):
            raise Http404("No such page of this survey.")
        return self.sheet.steps[number - 1]

    @property
    def is_last(self) -> bool:
        return self.step.number == len(self.sheet.steps)

    def form(self, data=None) -> AnswersForm:
        sheet = self.sheet
        return AnswersForm(
            self.step.statements, self.step.questions, data, sheet.ratings, sheet.texts
        )

    def get(self, request, *args, **kwargs):
        if self.sheet.submitted:
            return HttpResponseRedirect(reverse("surveys:done", kwargs=self._survey_kwargs()))
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        action = request.POST.get("action", "continue")
        try:
            services.save_answers(
                user=request.user, sheet=self.sheet, ratings=form.ratings(), texts=form.texts()
            )
            if action == "submit" and self.is_last:
                services.submit_response(user=request.user, sheet=self.sheet)
        except SurveyError as error:
            return self._refused(form, error)
        return HttpResponseRedirect(self._next_url(action))

    def _next_url(self, action: str) -> str:
        sheet, number = self.sheet, self.step.number
        if sheet.submitted:
            messages.success(self.request, "Thank you: your answers are sent.")
            return reverse("surveys:done", kwargs=self._survey_kwargs())
        if action == "back" and number > 1:
            return answer_url(sheet.work_group.pk, sheet.occasion, number - 1)
        if action == "later":
            messages.success(self.request, "Your answers are saved. Come back to finish.")
            return reverse("surveys:mine")
        following = min(number + 1, len(sheet.steps))
        return answer_url(sheet.work_group.pk, sheet.occasion, following)

    def _refused(self, form, error: SurveyError):
        missing = {reason.field for reason in error.details}
        steps = {step.area.code: step for step in self.sheet.steps if step.area}
        for reason in error.details:
            if reason.field in form.fields:
                form.add_error(reason.field, reason.message)
            elif reason.field not in steps:
                form.add_error(None, reason.message)
        unanswered = [
            {"step": steps[code], "missing": len(self.sheet.unanswered(steps[code]))}
            for code in steps
            if code in missing
        ]
        context = self.get_context_data(form=form, unanswered_steps=unanswered)
        return self.render_to_response(context, status=400)

    def _survey_kwargs(self) -> dict:
        return {"group": self.kwargs["group"], "occasion": self.kwargs["occasion"]}

    def get_context_data(self, **kwargs):
        sheet, step = self.sheet, self.step
        answered = len(sheet.statements) - len(sheet.unanswered())
        return super().get_context_data(
            sheet=sheet,
            step=step,
            steps=sheet.steps,
            is_last=self.is_last,
            answered=answered,
            total=len(sheet.statements),
            save_url=reverse("surveys:autosave", kwargs=self._survey_kwargs()),
            back_url=answer_url(sheet.work_group.pk, sheet.occasion, step.number - 1)
            if step.number > 1
            else None,
            **kwargs,
        )


class AutosaveView(SheetMixin, View):
    """Saves the answers a page's script sends as they are given; answers in JSON."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        sheet = self.sheet
        form = AnswersForm(sheet.statements, sheet.questions, request.POST)
        if not form.is_valid():
            errors = {name: " ".join(messages_) for name, messages_ in form.errors.items()}
            return JsonResponse({"saved": False, "errors": errors}, status=400)
        try:
            services.save_answers(
                user=request.user, sheet=sheet, ratings=form.ratings(), texts=form.texts()
            )
        except SurveyError as error:
            errors = {reason.field or "__all__": reason.message for reason in error.details}
            return JsonResponse({"saved": False, "errors": errors}, status=400)
        answered = len(sheet.statements) - len(sheet.unanswered())
        return JsonResponse({"saved": True, "answered": answered, "total": len(sheet.statements)})


class DoneView(SheetMixin, TemplateView):
    template_name = "surveys/done.html"

    def get(self, request, *args, **kwargs):
        if not self.sheet.submitted:
            return HttpResponseRedirect(answer_url(self.sheet.work_group.pk, self.sheet.occasion))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(sheet=self.sheet, **kwargs)


class GroupSummaryView(LoginRequiredMixin, TemplateView):
    """A group's start and end averages per outcome area, for its leads and hub staff."""

    template_name = "surveys/group_summary.html"

    def get_context_data(self, **kwargs):
        groups = rules.summary_groups(self.request.user).select_related(
            "project", "hub", "academic_year"
        )
        group = get_object_or_404(groups, pk=parse_id(self.kwargs["pk"]) or 0)
        return super().get_context_data(group=group, summary=impact.group_summary(group), **kwargs)
