"""A participant's own registrations and invitations, withdrawing, and the between-session
page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from participants.rules import confirmed_leaders, is_verified_leader
from participants.views import ProfileRequiredMixin, safe_next_url
from workgroups import services
from workgroups.cache import project_rules
from workgroups.certificates import certificate_for, render_pdf
from workgroups.forms import GapTaskResponseForm
from workgroups.models import (
    TAKEN_PLACE_STATUSES,
    GapTaskResponse,
    Nomination,
    NominationStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionRecord,
    waitlist_position_subquery,
)
from workgroups.services.gap_tasks import (
    GapTaskError,
    can_respond,
    response_deadline,
    save_gap_task_response,
    tasks_waiting,
)
from workgroups.services.nominations import (
    accept_nomination,
    cancel_nomination,
    cancellable_by,
    decline_nomination,
)
from workgroups.views.groups import outcome_message, recent_invitations, with_shown_status


def with_waitlist_position(registrations):
    """Annotate each registration with its place's position on the waiting list, in one query."""
    return registrations.annotate(waitlist_position=waitlist_position_subquery("place"))


def with_next_session(registrations):
    upcoming = Session.objects.filter(
        work_group=OuterRef("work_group"), starts_at__gte=timezone.now(), cancelled=False
    ).order_by("starts_at")
    return registrations.annotate(
        next_session_at=Subquery(upcoming.values("starts_at")[:1]),
        next_session_id=Subquery(upcoming.values("pk")[:1]),
    )


class MyRegistrationsView(LoginRequiredMixin, ListView):
    """Every registration of the signed-in person, with their place's status and next session."""

    template_name = "workgroups/my_registrations.html"
    context_object_name = "registrations"

    def get_queryset(self):
        # The projects come from the cache: each join more costs the database more planning
        # than reading the rows.
        registrations = (
            Registration.objects.filter(user=self.request.user)
            .select_related("place__school", "role", "work_group__hub")
            .order_by("status", "-created_at")
        )
        registrations = list(with_next_session(with_waitlist_position(registrations)))
        rules = project_rules({r.work_group.project_id for r in registrations})
        for registration in registrations:
            group = registration.work_group
            group.project = rules[group.project_id].project
        return registrations

    def get_context_data(self, **kwargs):
        user = self.request.user
        feed = reverse("workgroups:calendar_feed", args=[user.calendar_token])
        invitations = invitations_to(user)
        leader = is_verified_leader(user)
        places_held = {
            r.place_id for r in self.object_list if r.status == RegistrationStatus.ACTIVE
        }
        # The school as the registrations read it: asking the user for it is one query more.
        school = next(
            (
                r.place.school
                for r in self.object_list
                if r.status == RegistrationStatus.ACTIVE and r.place.school_id == user.school_id
            ),
            None,
        )
        return super().get_context_data(
            feed_url=self.request.build_absolute_uri(feed),
            taken_statuses=TAKEN_PLACE_STATUSES,
            invitations=[i for i in invitations if i.shown == NominationStatus.INVITED],
            # One that closed is old news once the person holds a place there after all.
            closed_invitations=[
                i
                for i in invitations
                if i.shown != NominationStatus.INVITED and i.place_id not in places_held
            ],
            school_invitations=school_invitations(user) if leader else None,
            # Every registered participant who cannot name colleagues learns who can.
            leaders_who_name=confirmed_leaders(school) if school and not leader else None,
            school=school,
            tasks=tasks_waiting(user),
            **kwargs,
        )


def _with_places(nominations):
    return nominations.select_related(
        "place__school", "place__work_group__project", "place__work_group__hub"
    ).select_related("role", "invited_by")


def invitations_to(user) -> list[Nomination]:
    """Invitations from school leaders to this person: open ones, to accept or decline, and
    those that lapsed or were cancelled lately."""
    mine = recent_invitations().filter(user=user)
    if not mine.exists():  # most people have none: a much cheaper question than the rows
        return []
    return with_shown_status(_with_places(mine).order_by("created_at"))


def school_invitations(leader) -> list[Nomination]:
    """For a confirmed leader: every open or lately closed invitation to their school's places,
    whoever sent it, each cancellable while open (unless it names the leader)."""
    rows = recent_invitations().filter(place__school_id=leader.school_id)
    if not rows.exists():
        return []
    rows = _with_places(rows).order_by("-created_at")
    return with_shown_status(rows, lambda nomination: nomination.user_id != leader.pk)


class CertificateView(LoginRequiredMixin, View):
    """A person's certificate of participation (PDF), once their school's place completed the
    group; anyone else's, or one not earned yet, is "not found"."""

    def get(self, request, pk):
        certificate = certificate_for(request.user, pk)
        if certificate is None:
            raise Http404("No certificate here.")
        response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{certificate.filename}"'
        return response


class AnswerInvitationView(ProfileRequiredMixin, SingleObjectMixin, View):
    """POST: accept (registering through ``services.register``) or decline an invitation.
    Only the invited person finds it; anyone else gets "not found"."""

    http_method_names = ["post"]
    answer = "accept"

    def get_queryset(self):
        return Nomination.objects.filter(user=self.request.user).select_related(
            "place__work_group", "role"
        )

    def post(self, request, *args, **kwargs):
        nomination = self.get_object()
        group = nomination.place.work_group
        try:
            if self.answer == "accept":
                registration = accept_nomination(nomination=nomination, user=request.user)
            else:
                decline_nomination(nomination=nomination, user=request.user)
        except services.RegistrationError as error:
            messages.error(request, " ".join(error.reasons))
        else:
            if self.answer == "accept":
                messages.success(request, outcome_message(registration))
            else:
                messages.info(request, f"You have declined the invitation to {group.name}.")
        return redirect("workgroups:my_registrations")


class CancelInvitationView(LoginRequiredMixin, SingleObjectMixin, View):
    """POST: cancel an invitation still waiting (``cancel_nomination``). Only those who may
    cancel it find it: the inviter, the school's confirmed leaders, the hub's staff."""

    http_method_names = ["post"]

    def get_queryset(self):
        return cancellable_by(self.request.user)

    def post(self, request, *args, **kwargs):
        nomination = self.get_object()
        try:
            cancel_nomination(nomination=nomination, by=request.user)
        except services.RegistrationError as error:
            messages.error(request, " ".join(error.reasons))
        else:
            messages.success(
                request,
                f"The invitation to {nomination.email} is cancelled, and they are told by "
                "email. You can name them again at any time.",
            )
        # Not ``redirect()``: it would look a plain word up as the name of a URL.
        back = safe_next_url(request, request.POST.get("next"))
        return HttpResponseRedirect(back or reverse("workgroups:my_registrations"))


class WithdrawView(LoginRequiredMixin, DetailView):
    """GET asks 'are you sure?'; POST withdraws through ``services.withdraw``."""

    template_name = "workgroups/registration_withdraw.html"
    context_object_name = "registration"

    def get_queryset(self):
        return Registration.objects.filter(user=self.request.user).select_related(
            "place__school", "role", "work_group__project", "work_group__hub"
        )

    def post(self, request, *args, **kwargs):
        registration = self.get_object()
        if registration.status == RegistrationStatus.WITHDRAWN:
            messages.info(request, f"You had already withdrawn from {registration.work_group}.")
        else:
            try:
                services.withdraw(registration=registration)
            except services.RegistrationError as error:
                messages.error(request, " ".join(error.reasons))
            else:
                messages.success(request, f"You have withdrawn from {registration.work_group}.")
        return redirect("workgroups:my_registrations")


class SessionDetailView(LoginRequiredMixin, DetailView):
    """A session for its participants: the task set, and what you did with it."""

    template_name = "workgroups/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return Session.objects.filter(
            work_group__registrations__user=self.request.user,
            work_group__registrations__status=RegistrationStatus.ACTIVE,
            work_group__registrations__place__status__in=TAKEN_PLACE_STATUSES,
        ).select_related("work_group__project", "work_group__hub")

    def get_object(self, queryset=None):
        session = super().get_object(queryset)
        self.registration = Registration.objects.select_related("place").get(
            user=self.request.user, work_group=session.work_group, status=RegistrationStatus.ACTIVE
        )
        self.record = SessionRecord.objects.filter(session=session).first()
        self.response = (
            GapTaskResponse.objects.filter(
                registration=self.registration, session_record=self.record
            ).first()
            if self.record
            else None
        )
        return session

    def get_context_data(self, **kwargs):
        deadline = response_deadline(self.record) if self.record else None
        editable = bool(self.record) and can_respond(self.record, deadline)
        context = {
            "record": self.record,
            "response": self.response,
            "deadline": deadline,
            "editable": editable,
            "group": self.object.work_group,
        }
        if editable and "form" not in kwargs:
            context["form"] = GapTaskResponseForm(instance=self.response)
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = GapTaskResponseForm(request.POST, instance=self.response)
        if form.is_valid() and self.record is not None:
            try:
                save_gap_task_response(
                    registration=self.registration,
                    session_record=self.record,
                    what_i_did=form.cleaned_data["what_i_did"],
                    reflection=form.cleaned_data["reflection"],
                )
            except GapTaskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you: your notes are saved.")
                return redirect("workgroups:session", pk=self.object.pk)
        elif self.record is None:
            raise Http404("No task was set at this session.")
        return self.render_to_response(self.get_context_data(form=form))
