"""A teacher's side of delivery: group pages, registering, their registrations and calendar."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView

from participants.models import User
from participants.views import ProfileRequiredMixin
from projects.models import Recruitment
from projects.views import PUBLIC_GROUP_STATUSES
from workgroups import calendar, services
from workgroups.eligibility import eligibility
from workgroups.forms import GapTaskResponseForm, NominationForm, RegistrationForm
from workgroups.models import (
    TAKEN_PLACE_STATUSES,
    GapTaskResponse,
    Nomination,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionRecord,
    WorkGroup,
)
from workgroups.services.gap_tasks import (
    GapTaskError,
    can_respond,
    response_deadline,
    save_gap_task_response,
)
from workgroups.services.nominations import is_school_leader, nominate

INVITATION_REASON_START = "This project is by invitation only"


@dataclass
class RoleRow:
    """One role in a school's place: who fills it, who is invited, how many are missing."""

    role: object
    people: list = field(default_factory=list)
    invited: list = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.role.max_per_school - len(self.people) - len(self.invited), 0)


def place_roster(place: Place, roles) -> list[RoleRow]:
    """Needs ``active_registrations`` and ``open_nominations`` prefetched on the place."""
    rows = {role.pk: RoleRow(role) for role in roles}
    for registration in place.active_registrations:
        rows[registration.role_id].people.append(registration.user)
    for nomination in place.open_nominations:
        rows[nomination.role_id].invited.append(nomination.email)
    return list(rows.values())


def _place_prefetches():
    active = Registration.objects.filter(status=RegistrationStatus.ACTIVE).select_related("user")
    return [
        Prefetch("registrations", queryset=active, to_attr="active_registrations"),
        Prefetch(
            "nominations",
            queryset=Nomination.objects.filter(registration__isnull=True),
            to_attr="open_nominations",
        ),
    ]


class WorkGroupDetailView(DetailView):
    """A group's page: its sessions and places, and for a teacher whether they can join."""

    template_name = "workgroups/workgroup_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return (
            WorkGroup.objects.filter(status__in=PUBLIC_GROUP_STATUSES)
            .select_related("project", "hub", "academic_year")
            .prefetch_related("sessions", "leads__user", "project__roles")
            .with_place_counts()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["roles"] = list(self.object.project.roles.all())
        if user.is_authenticated and user.has_profile:
            context.update(self._teacher_context(user))
            context.update(kwargs)
        return context

    def _teacher_context(self, user: User) -> dict:
        group = self.object
        verdict = eligibility(user, group)
        invite_only = group.project.recruitment == Recruitment.INVITATION_ONLY
        blocking = [r for r in verdict.reasons if not r.startswith(INVITATION_REASON_START)]
        can_register = not blocking if invite_only else verdict.ok
        place = (
            Place.objects.filter(pk=verdict.place.pk).prefetch_related(*_place_prefetches()).first()
            if verdict.place
            else None
        )
        mine = next(
            (r for r in (place.active_registrations if place else []) if r.user_id == user.pk),
            None,
        )
        leader = is_school_leader(user)
        return {
            "verdict": verdict,
            "reasons": blocking if invite_only else verdict.reasons,
            "can_register": can_register,
            "form": RegistrationForm(project=group.project, initial={"role": verdict.role})
            if can_register
            else None,
            "school_place": place,
            "my_registration": mine,
            "roster": place_roster(place, group.project.roles.all()) if place else None,
            "show_roster": place is not None and (mine is not None or leader),
            "is_leader": leader,
            "nomination_form": NominationForm(project=group.project) if leader else None,
            "is_participant": mine is not None and place.status in TAKEN_PLACE_STATUSES,
        }


class RegisterView(ProfileRequiredMixin, WorkGroupDetailView):
    """POST: register yourself through ``services.register``; refusals show beside the form."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = RegistrationForm(request.POST, project=self.object.project)
        if form.is_valid():
            try:
                registration = services.register(
                    user=request.user,
                    work_group=self.object,
                    role=form.cleaned_data["role"],
                    invitation_code=form.cleaned_data.get("invitation_code"),
                )
            except services.RegistrationError as error:
                if self._already_registered():
                    messages.info(request, "You are already registered for this group.")
                    return redirect("workgroups:my_registrations")
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                confirmed = registration.place.status == PlaceStatus.CONFIRMED
                level = messages.SUCCESS if confirmed else messages.INFO
                messages.add_message(request, level, outcome_message(registration))
                return redirect("workgroups:my_registrations")
        return self.render_to_response(self.get_context_data(form=form, can_register=True))

    def _already_registered(self) -> bool:
        return Registration.objects.filter(
            user=self.request.user, work_group=self.object, status=RegistrationStatus.ACTIVE
        ).exists()


def outcome_message(registration: Registration) -> str:
    place = registration.place
    group = place.work_group
    if place.status == PlaceStatus.WAITLISTED:
        position = (
            group.places.waiting_list()
            .filter(
                Q(requested_at__lt=place.requested_at)
                | Q(requested_at=place.requested_at, pk__lte=place.pk)
            )
            .count()
        )
        return (
            f"{group.name} is full, so your school is on the waiting list in position "
            f"{position}. We will email you when a place is free."
        )
    if place.status == PlaceStatus.PENDING:
        return (
            f"You are registered for {group.name}. Your school's place is awaiting approval "
            f"by {group.hub.name}; we will email you when it is confirmed."
        )
    return f"You are registered for {group.name}, and your school's place is confirmed."


class NominateView(ProfileRequiredMixin, WorkGroupDetailView):
    """POST: a school leader names a colleague for a role (registered or invited)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not is_school_leader(request.user):
            raise Http404("Only school leaders can name colleagues.")
        form = NominationForm(request.POST, project=self.object.project)
        if form.is_valid():
            try:
                nomination = nominate(
                    leader=request.user,
                    work_group=self.object,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invitation_code=form.cleaned_data.get("invitation_code") or "",
                )
            except services.RegistrationError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(request, _nomination_message(nomination))
                return redirect("workgroups:place", pk=nomination.place_id)
        return self.render_to_response(self.get_context_data(nomination_form=form))


def _nomination_message(nomination: Nomination) -> str:
    if nomination.is_claimed:
        return f"{nomination.email} is registered as {nomination.role.name}."
    return (
        f"We have emailed {nomination.email} an invitation. They will join your school's place "
        "as soon as they create an account with that address and confirm it."
    )


class PlaceDetailView(LoginRequiredMixin, DetailView):
    """A school's place: who fills each role and what is missing (participants and leader)."""

    template_name = "workgroups/place_detail.html"
    context_object_name = "place"

    def get_queryset(self):
        user = self.request.user
        mine = Q(registrations__user=user, registrations__status=RegistrationStatus.ACTIVE)
        if is_school_leader(user):
            mine |= Q(school_id=user.school_id)
        visible = Place.objects.filter(mine).values("pk")
        return (
            Place.objects.filter(pk__in=visible)
            .select_related("school", "work_group__project", "work_group__hub")
            .prefetch_related("work_group__project__roles", *_place_prefetches())
        )

    def get_context_data(self, **kwargs):
        place = self.object
        project = place.work_group.project
        leader = (
            is_school_leader(self.request.user) and place.school_id == self.request.user.school_id
        )
        return super().get_context_data(
            roster=place_roster(place, project.roles.all()),
            is_leader=leader,
            nomination_form=NominationForm(project=project) if leader else None,
            group=place.work_group,
            **kwargs,
        )


def with_waitlist_position(registrations):
    """Annotate each registration with its place's position on the waiting list, in one query."""
    ahead = (
        Place.objects.filter(
            work_group=OuterRef("place__work_group"), status=PlaceStatus.WAITLISTED
        )
        .filter(
            Q(requested_at__lt=OuterRef("place__requested_at"))
            | Q(requested_at=OuterRef("place__requested_at"), pk__lte=OuterRef("place_id"))
        )
        .order_by()
        .values("work_group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return registrations.annotate(waitlist_position=Subquery(ahead))


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
        registrations = (
            Registration.objects.filter(user=self.request.user)
            .select_related("place__school", "role", "work_group__project", "work_group__hub")
            .order_by("status", "-created_at")
        )
        return with_next_session(with_waitlist_position(registrations))

    def get_context_data(self, **kwargs):
        feed = reverse("workgroups:calendar_feed", args=[self.request.user.calendar_token])
        return super().get_context_data(
            feed_url=self.request.build_absolute_uri(feed),
            taken_statuses=TAKEN_PLACE_STATUSES,
            **kwargs,
        )


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
            services.withdraw(registration=registration)
            messages.success(request, f"You have withdrawn from {registration.work_group}.")
        return redirect("workgroups:my_registrations")


def _ics_response(body: str, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


class CalendarFeedView(View):
    """The secret per-person feed: anyone holding the address can read it, so it is long."""

    def get(self, request, token):
        user = User.objects.filter(calendar_token=token, is_active=True).first()
        if user is None:
            raise Http404("No such calendar.")
        body = calendar.render_calendar(calendar.sessions_for_user(user), "Maths Hubs sessions")
        return _ics_response(body)


class GroupCalendarView(View):
    """One group's sessions as an .ics file to open in a calendar program."""

    def get(self, request, pk):
        group = get_object_or_404(WorkGroup, pk=pk, status__in=PUBLIC_GROUP_STATUSES)
        body = calendar.render_calendar(calendar.sessions_for_group(group.pk), group.name)
        return _ics_response(body, filename=f"group-{group.pk}-sessions.ics")


class ResetCalendarTokenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        calendar.reset_calendar_token(user=request.user)
        messages.success(
            request, "Your calendar address has changed. Add the new one to your calendar."
        )
        return redirect(reverse("workgroups:my_registrations") + "#calendar")


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
