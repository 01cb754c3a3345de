"""The lead's dashboard, each group's page, its roster, action plan, closing the year and who
completed.

Every view reaches groups through ``rules.visible_groups`` (milestones through the same rule),
so anything outside the user's reach is 404. Changes go through the services.
"""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from core.admin_tools import add_reasons
from core.csv import csv_response
from core.text import parse_id
from evaluations.models import EvaluationStatus
from lead import queries, rules
from lead.forms import (
    CompletionOverrideForm,
    GroupEmailForm,
    MilestoneForm,
    MilestoneProgressForm,
)
from participants.models import LLME
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    CLOSED_PLACE_STATUSES,
    UNDER_WAY_GROUP_STATUSES,
    Completion,
    MilestoneTerm,
    Registration,
    WorkGroupStatus,
)
from workgroups.services import completion, delivery
from workgroups.services.delivery import DeliveryError

EVALUATED_STATUSES = UNDER_WAY_GROUP_STATUSES
DONE_EVALUATION = [EvaluationStatus.SUBMITTED, EvaluationStatus.SIGNED_OFF]


def group_url(group) -> str:
    return reverse("lead:group", kwargs={"pk": group.pk})


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "lead/dashboard.html"

    def get_context_data(self, **kwargs):
        groups = list(queries.dashboard_groups(rules.groups_for_lead(self.request.user)))
        for group in groups:
            # Due once the year's sessions are over: it looks back on the whole year.
            group.evaluation_due = (
                group.project.rules.evaluation
                and group.status in EVALUATED_STATUSES
                and group.evaluation_status not in DONE_EVALUATION
                and group.next_session is None
            )
        by_year = [
            (year, list(rows))
            for year, rows in itertools.groupby(groups, lambda g: g.academic_year)
        ]
        return super().get_context_data(
            current_years=[(y, rows) for y, rows in by_year if y.ends_on >= timezone.localdate()],
            past_years=[(y, rows) for y, rows in by_year if y.ends_on < timezone.localdate()],
            **kwargs,
        )


class LeadGroupMixin(LoginRequiredMixin):
    """A group the user may lead, from the URL's ``pk``; anyone else's is 404."""

    group_kwarg = "pk"

    @cached_property
    def group(self):
        groups = rules.visible_groups(self.request.user).select_related(
            "project", "hub", "academic_year"
        )
        return get_object_or_404(groups, pk=self.kwargs[self.group_kwarg])

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, **kwargs)


class GroupDetailView(LoginRequiredMixin, DetailView):
    template_name = "lead/group_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return (
            rules.visible_groups(self.request.user)
            .select_related("project", "hub", "academic_year", "evaluation")
            .prefetch_related(Prefetch("leads", queryset=LLME.objects.select_related("user")))
        )

    def get_context_data(self, **kwargs):
        group = self.object
        sessions = list(queries.sessions_with_progress(group))
        now = timezone.now()
        context = {
            "places": roster_places(group),
            "sessions": sessions,
            "now": now,
            "can_close": group.may_become(WorkGroupStatus.COMPLETED)
            and any(not s.cancelled for s in sessions)
            and all(s.cancelled or s.ends_at <= now for s in sessions),
            "is_targeted_support": group.project.rules.action_plan,
            "evaluated": group.project.rules.evaluation,
            "evaluation": getattr(group, "evaluation", None),
            "evaluation_open": group.status in EVALUATED_STATUSES,
        }
        if context["is_targeted_support"]:
            context["plan"] = action_plan(group)
        return super().get_context_data(**context, **kwargs)


def roster_places(group):
    """The group's active places, each with its active participants, by school name."""
    # Ordered here: the default ordering would join each place's group, year and project.
    people = (
        Registration.objects.active()
        .select_related("user", "role")
        .order_by("role__order", "created_at", "pk")
    )
    return (
        group.places.filter(status__in=ACTIVE_PLACE_STATUSES)
        .select_related("school")
        .prefetch_related(Prefetch("registrations", queryset=people, to_attr="people"))
        .order_by("school__name")
    )


def action_plan(group) -> list[tuple[str, list]]:
    milestones = list(group.milestones.order_by("due_on", "pk"))
    return [
        (label, [m for m in milestones if m.term == term]) for term, label in MilestoneTerm.choices
    ]


class RosterCsvView(LeadGroupMixin, View):
    """The roster as a spreadsheet; formula-like cells are quoted so they stay text."""

    def get(self, request, *args, **kwargs):
        group = self.group
        header = ["School", "URN", "Place", "Name", "Role", "Email"]
        rows = (
            [
                place.school.name,
                place.school.urn,
                place.get_status_display(),
                person.user.get_full_name(),
                person.role.name,
                person.user.email,
            ]
            for place in roster_places(group)
            for person in place.people
        )
        return csv_response(f"{slugify(group.name)}-roster.csv", header, rows)


class CloseYearView(LeadGroupMixin, TemplateView):
    template_name = "lead/close_year.html"

    def get_context_data(self, **kwargs):
        held = delivery.held_sessions(self.group).count()
        return super().get_context_data(held=held, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            completed = completion.mark_completions(work_group=self.group)
        except DeliveryError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(group_url(self.group))
        schools = "school" if len(completed) == 1 else "schools"
        messages.success(
            request,
            f"The year is closed: {len(completed)} {schools} completed the group. Here is who "
            "completed; you can change someone's outcome, saying why.",
        )
        return HttpResponseRedirect(completion_url(self.group))


def completion_url(group) -> str:
    return reverse("lead:completion", kwargs={"pk": group.pk})


class CompletionView(LeadGroupMixin, TemplateView):
    """Who completed the group: each participant's attendance against the sessions counted for
    them and their outcome, with a form to change it (saying why) once the group is completed."""

    template_name = "lead/completion.html"

    def people(self) -> list[Registration]:
        """The group's participants with an outcome, in one query, by school."""
        people = Registration.objects.active().filter(
            work_group=self.group, place__status__in=CLOSED_PLACE_STATUSES
        )
        return list(
            completion.with_attendance(people)
            .select_related("user", "role", "place__school")
            .order_by(
                "place__school__name",
                "place_id",
                "role__order",
                "user__last_name",
                "user__first_name",
                "pk",
            )
        )

    def get_context_data(self, *, bound=None, **kwargs):
        people = self.people()
        for person in people:
            prefix = f"person-{person.pk}"
            person.form = (
                bound
                if bound is not None and bound.prefix == prefix
                else CompletionOverrideForm(
                    prefix=prefix, initial={"completion": person.completion}
                )
            )
        return super().get_context_data(
            people=people,
            form=bound,
            completed=self.group.status == WorkGroupStatus.COMPLETED,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        registration = get_object_or_404(
            Registration.objects.filter(work_group=self.group).select_related("user"),
            pk=parse_id(request.POST.get("registration")) or 0,
        )
        form = CompletionOverrideForm(request.POST, prefix=f"person-{registration.pk}")
        if form.is_valid():
            try:
                completion.override_completion(
                    registration=registration, by=request.user, **form.cleaned_data
                )
            except DeliveryError as error:
                add_reasons(form, error)
            else:
                name = registration.user.get_full_name() or registration.user.email
                outcome = dict(Completion.choices)[form.cleaned_data["completion"]].lower()
                messages.success(request, f"{name}'s outcome is now: {outcome}.")
                return HttpResponseRedirect(completion_url(self.group))
        form.person = registration
        return self.render_to_response(self.get_context_data(bound=form))


# Targeted Support action plans ------------------------------------------------------------


class MilestoneCreateView(LeadGroupMixin, FormView):
    template_name = "lead/milestone_form.html"
    form_class = MilestoneForm

    @cached_property
    def group(self):
        group = super().group
        if not group.project.rules.action_plan:
            raise_not_found()
        return group

    def form_valid(self, form):
        try:
            delivery.add_milestone(work_group=self.group, **form.cleaned_data)
        except DeliveryError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The milestone is added to the action plan.")
        return HttpResponseRedirect(group_url(self.group) + "#action-plan")


def raise_not_found():
    raise Http404("No such action plan.")


class MilestoneUpdateView(LoginRequiredMixin, FormView):
    template_name = "lead/milestone_form.html"
    form_class = MilestoneProgressForm

    @cached_property
    def milestone(self):
        milestones = rules.visible_milestones(self.request.user).select_related(
            "work_group__project", "work_group__academic_year"
        )
        return get_object_or_404(milestones, pk=self.kwargs["pk"])

    def get_initial(self):
        return {"status": self.milestone.status, "notes": self.milestone.notes}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            milestone=self.milestone, group=self.milestone.work_group, **kwargs
        )

    def form_valid(self, form):
        try:
            delivery.update_milestone(milestone=self.milestone, **form.cleaned_data)
        except DeliveryError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The milestone is updated.")
        return HttpResponseRedirect(group_url(self.milestone.work_group) + "#action-plan")


class GroupEmailView(LeadGroupMixin, FormView):
    """A lead writes to every participant of their group (each gets their own copy)."""

    template_name = "lead/group_email.html"
    form_class = GroupEmailForm

    def form_valid(self, form):
        try:
            sent = delivery.email_participants(
                work_group=self.group, by=self.request.user, **form.cleaned_data
            )
        except DeliveryError as error:
            add_reasons(form, error)
            return self.form_invalid(form)
        people = "participant" if sent == 1 else "participants"
        messages.success(self.request, f"Your email is on its way to {sent} {people}.")
        return HttpResponseRedirect(group_url(self.group))
