"""Each session's business: scheduling, attendance, the session record and gap-task responses.

Sessions are reached through ``rules.visible_sessions``, so another group's session is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from core.admin_tools import add_reasons
from core.text import parse_id
from lead import rules
from lead.forms import ROWS_NOT_ROSTER, AttendanceFormSet, SessionForm, SessionRecordForm
from lead.views.groups import LeadGroupMixin, group_url
from workgroups.models import AttendanceStatus, Registration
from workgroups.services import delivery
from workgroups.services.delivery import DeliveryError, SessionNeedsConfirmation


class LeadSessionMixin(LoginRequiredMixin):
    """A session of a group the user may lead; anyone else's is 404."""

    @cached_property
    def session(self):
        sessions = rules.visible_sessions(self.request.user).select_related(
            "work_group__project", "work_group__hub", "work_group__academic_year"
        )
        return get_object_or_404(sessions, pk=self.kwargs["pk"])

    @property
    def group(self):
        return self.session.work_group

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, group=self.group, **kwargs)

    def get_success_url(self):
        return group_url(self.group)


class SessionCreateView(LeadGroupMixin, FormView):
    template_name = "lead/session_form.html"
    form_class = SessionForm

    def get_initial(self):
        return {"mode": self.group.delivery_mode, "venue": self.group.venue}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            session = delivery.schedule_session(work_group=self.group, **session_fields(data))
        except DeliveryError as error:
            return refused(self, form, error)
        messages.success(self.request, f"Session {session.number} is added.")
        return HttpResponseRedirect(group_url(self.group))


def session_fields(data: dict) -> dict:
    keys = ("starts_at", "ends_at", "mode", "focus", "venue", "joining_link", "planned")
    return {key: data[key] for key in keys} | {"confirmed": data.get("confirm", False)}


def refused(view, form, error: DeliveryError):
    """The form again: with what needs confirming and its checkbox, or the reasons it was
    refused next to their fields."""
    if isinstance(error, SessionNeedsConfirmation):
        form.ask_to_confirm(error.reasons)
    else:
        # The service names the date; the form's boxes are the date and the start time.
        add_reasons(form, error)
    return view.form_invalid(form)


class SessionUpdateView(LeadSessionMixin, FormView):
    template_name = "lead/session_form.html"
    form_class = SessionForm

    def get_initial(self):
        return SessionForm.initial_for(self.session)

    def form_valid(self, form):
        try:
            delivery.reschedule_session(session=self.session, **session_fields(form.cleaned_data))
        except DeliveryError as error:
            return refused(self, form, error)
        messages.success(self.request, f"Session {self.session.number} is updated.")
        return HttpResponseRedirect(self.get_success_url())


class SessionCancelView(LeadSessionMixin, TemplateView):
    template_name = "lead/session_cancel.html"

    def post(self, request, *args, **kwargs):
        try:
            delivery.cancel_session(session=self.session)
        except DeliveryError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Session {self.session.number} is cancelled; participants are told."
            )
        return HttpResponseRedirect(self.get_success_url())


class AttendanceView(LeadSessionMixin, TemplateView):
    """The whole roster's attendance on one form, saved in one go."""

    template_name = "lead/attendance.html"
    prefix = "attendance"

    @cached_property
    def people(self) -> dict[int, Registration]:
        return {person.pk: person for person in delivery.roster(self.group)}

    def get_formset(self):
        if self.request.method == "POST":
            return AttendanceFormSet(self.request.POST, prefix=self.prefix, roster=self.people)
        return self._roster_formset()

    def _roster_formset(self, chosen=None):
        """The roster as it is now, each person marked as saved, as ``chosen`` or present."""
        marks = dict(self.session.attendances.values_list("registration_id", "status"))
        marks.update(chosen or {})
        initial = [
            {"registration": pk, "status": marks.get(pk, AttendanceStatus.PRESENT)}
            for pk in self.people
        ]
        return AttendanceFormSet(initial=initial, prefix=self.prefix, roster=self.people)

    def get_context_data(self, formset=None, **kwargs):
        formset = formset or self.get_formset()
        rows = [(form, self.people.get(parse_id(form["registration"].value()))) for form in formset]
        return super().get_context_data(formset=formset, rows=rows, **kwargs)

    def post(self, request, *args, **kwargs):
        formset = self.get_formset()
        if formset.is_valid():
            marks = {f.cleaned_data["registration"]: f.cleaned_data["status"] for f in formset}
            try:
                delivery.record_attendance(session=self.session, marks=marks)
            except DeliveryError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Attendance for session {self.session.number} is saved.")
                return HttpResponseRedirect(self.get_success_url())
        elif not formset.rows_intact():
            chosen = {
                form.cleaned_data["registration"]: form.cleaned_data["status"]
                for form in formset
                if {"registration", "status"} <= form.cleaned_data.keys()
            }
            fresh = self._roster_formset(chosen)
            context = self.get_context_data(formset=fresh, problem=ROWS_NOT_ROSTER)
            return self.render_to_response(context)
        return self.render_to_response(self.get_context_data(formset=formset))


class SessionRecordView(LeadSessionMixin, FormView):
    template_name = "lead/record_form.html"
    form_class = SessionRecordForm

    @cached_property
    def record(self):
        return getattr(self.session, "record", None)

    @cached_property
    def locked(self) -> bool:
        return delivery.record_is_locked(self.group)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["areas"] = self.group.project.outcome_areas.all()
        kwargs["tasks"] = self.group.project.rules.between_session_tasks
        return kwargs

    def get_initial(self):
        return SessionRecordForm.initial_for(self.record)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.locked:
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(record=self.record, locked=self.locked, **kwargs)

    def form_valid(self, form):
        finish = self.request.POST.get("action") == "finish"
        data = form.cleaned_data
        try:
            delivery.save_session_record(
                session=self.session,
                by=self.request.user,
                what_was_done=data["what_was_done"],
                observed=data["observed"],
                refined=data["refined"],
                outcome_notes=form.outcome_notes(),
                gap_task=data.get("gap_task", ""),
                finish=finish,
            )
        except DeliveryError as error:
            for reason in error.details:
                form.add_error(
                    reason.field if reason.field in form.fields else None, reason.message
                )
            return self.form_invalid(form)
        state = "finished" if finish else "saved as a draft"
        messages.success(self.request, f"The record of session {self.session.number} is {state}.")
        return HttpResponseRedirect(self.get_success_url())


class GapTaskView(LeadSessionMixin, TemplateView):
    """What each teacher did with the task set at this session, and who has not said yet."""

    template_name = "lead/gap_tasks.html"

    def get_context_data(self, **kwargs):
        record = getattr(self.session, "record", None)
        responses, waiting = [], []
        if record is not None and record.gap_task:
            responses = list(
                record.responses.select_related(
                    "registration__user", "registration__role", "registration__place__school"
                ).order_by("registration__place__school__name", "registration__user__last_name")
            )
            answered = {response.registration_id for response in responses}
            waiting = [p for p in delivery.roster(self.group) if p.pk not in answered]
        return super().get_context_data(
            record=record, responses=responses, waiting=waiting, **kwargs
        )
