"""A group's public page, registering for it, naming colleagues, and a school's place."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView

from participants.models import User, UserRole
from participants.rules import is_verified_leader
from participants.views import ProfileRequiredMixin
from workgroups import services
from workgroups.eligibility import eligibility
from workgroups.forms import NominationForm, RegistrationForm
from workgroups.models import (
    PUBLIC_GROUP_STATUSES,
    TAKEN_PLACE_STATUSES,
    Nomination,
    NominationStatus,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
    waitlist_position,
)
from workgroups.services.nominations import NOMINATIONS_PER_DAY, naming_refusal, nominate


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
            queryset=Nomination.objects.filter(status=NominationStatus.INVITED),
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
        # The registration form asks for the invitation code, so its absence blocks nothing yet.
        blocking = verdict.other_reasons
        can_register = not blocking
        place = (
            Place.objects.filter(pk=verdict.place.pk).prefetch_related(*_place_prefetches()).first()
            if verdict.place
            else None
        )
        mine = next(
            (r for r in (place.active_registrations if place else []) if r.user_id == user.pk),
            None,
        )
        leader = is_verified_leader(user)
        return {
            "verdict": verdict,
            "reasons": blocking,
            "can_register": can_register,
            "form": RegistrationForm(project=group.project, initial={"role": verdict.role})
            if can_register
            else None,
            "school_place": place,
            "my_registration": mine,
            "roster": place_roster(place, group.project.roles.all()) if place else None,
            "show_roster": place is not None and (mine is not None or leader),
            "is_leader": leader,
            "nomination_form": NominationForm(project=group.project) if leader and place else None,
            "naming_refusal": None
            if leader or user.role != UserRole.SCHOOL_LEADER
            else naming_refusal(user),
            "nominations_per_day": NOMINATIONS_PER_DAY,
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
        position = waitlist_position(place)
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
    """POST: a confirmed school leader invites a colleague to fill a role; to anyone else
    this does not exist."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not is_verified_leader(request.user):
            raise Http404("Only confirmed school leaders can name colleagues.")
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
    if nomination.user_id is not None:
        return (
            f"We have invited {nomination.email}. They will join your school's place as "
            f"{nomination.role.name} once they accept the invitation on their registrations page."
        )
    return (
        f"We have emailed {nomination.email} an invitation. They can accept it once they "
        "create an account with that address and confirm it."
    )


class PlaceDetailView(LoginRequiredMixin, DetailView):
    """A school's place: who fills each role and what is missing (participants and leader)."""

    template_name = "workgroups/place_detail.html"
    context_object_name = "place"

    def get_queryset(self):
        user = self.request.user
        mine = Q(registrations__user=user, registrations__status=RegistrationStatus.ACTIVE)
        if is_verified_leader(user):
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
        leader = is_verified_leader(self.request.user, place.school)
        return super().get_context_data(
            roster=place_roster(place, project.roles.all()),
            is_leader=leader,
            nomination_form=NominationForm(project=project) if leader else None,
            nominations_per_day=NOMINATIONS_PER_DAY,
            group=place.work_group,
            **kwargs,
        )
