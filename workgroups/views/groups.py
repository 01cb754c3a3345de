"""A group's public page, registering for it, naming colleagues, and a school's place."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, TemplateView

from core.cache import get_or_build
from participants.models import LLME, School, User, UserRole
from participants.rules import confirmed_leaders, is_verified_leader
from participants.views import ProfileRequiredMixin
from projects.models import Oversubscription
from workgroups import services
from workgroups.cache import REFERENCE, project_rules
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
from workgroups.services.nominations import (
    INVITATION_LIFETIME,
    NOMINATIONS_PER_DAY,
    SHOWN_AFTER_CLOSING,
    closed_on,
    joining_refusal,
    lapses_at,
    naming_refusal,
    nominate,
    open_q,
    shown_status,
)


@dataclass
class RoleRow:
    """One role in a school's place: who fills it, who is invited, how many seats are free.
    Invitations take no seat until accepted, so they do not lower ``missing``."""

    role: object
    people: list = field(default_factory=list)
    invited: list = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.role.max_per_school - len(self.people), 0)


def place_roster(place: Place, roles) -> list[RoleRow]:
    """Needs ``active_registrations`` and ``open_nominations`` prefetched on the place."""
    rows = {role.pk: RoleRow(role) for role in roles}
    for registration in place.active_registrations:
        rows[registration.role_id].people.append(registration.user)
    for nomination in place.open_nominations:
        rows[nomination.role_id].invited.append(nomination.email)
    return list(rows.values())


def _place_prefetches():
    # Ordered here, not by the models' default orderings, which would join the place's group,
    # its year and its project just to sort one place's rows.
    active = (
        Registration.objects.filter(status=RegistrationStatus.ACTIVE)
        .select_related("user", "role")
        .order_by("role__order", "created_at", "pk")
    )
    invited = Nomination.objects.filter(open_q()).order_by("created_at")
    return [
        Prefetch("registrations", queryset=active, to_attr="active_registrations"),
        Prefetch("nominations", queryset=invited, to_attr="open_nominations"),
    ]


def _public_group(pk) -> WorkGroup | None:
    groups = WorkGroup.objects.filter(pk=pk, status__in=PUBLIC_GROUP_STATUSES)
    return groups.select_related("hub", "academic_year").first()


class WorkGroupDetailView(TemplateView):
    """A group's page: its sessions and places, and for a teacher whether they can join.

    What everyone sees is cached under the group's scope (``workgroups.cache``); what is about
    the visitor (their school's place, whether they may register) is read for each request.
    """

    template_name = "workgroups/workgroup_detail.html"

    @cached_property
    def object(self) -> WorkGroup:
        pk = self.kwargs["pk"]
        group = get_or_build(
            "group-row", lambda: _public_group(pk), f"group:{pk}", REFERENCE, parts=(pk,)
        )
        if group is None:
            raise Http404("No such group.")
        group.project = project_rules([group.project_id])[group.project_id].project_with_rules()
        return group

    def get_context_data(self, **kwargs):
        group = self.object
        user = self.request.user
        context = {"group": group}
        if user.is_authenticated and user.has_profile:
            context |= self._teacher_context(user)
        context |= kwargs
        context["about"] = self._about(is_participant=context.get("is_participant", False))
        return super().get_context_data(**context)

    def _about(self, *, is_participant: bool) -> str:
        """What every visitor sees, from three pieces cached under their own scopes (a
        registration changes the group's row, not its sessions or leads)."""
        group = self.object
        html = get_or_build(
            "group-about",
            lambda: self._render_about(is_participant),
            f"group:{group.pk}",
            f"sessions:{group.pk}",
            f"leads:{group.pk}",
            REFERENCE,
            parts=(group.pk, is_participant),
        )
        return mark_safe(html)  # noqa: S308

    def _render_about(self, is_participant: bool) -> str:
        group = self.object
        sessions = get_or_build(
            "group-sessions",
            lambda: list(group.sessions.order_by("starts_at", "number")),
            f"sessions:{group.pk}",
            parts=(group.pk,),
        )
        leads = get_or_build(
            "group-leads",
            lambda: [
                str(lead) for lead in LLME.objects.filter(work_groups=group).select_related("user")
            ],
            f"leads:{group.pk}",
            parts=(group.pk,),
        )
        context = {
            "group": group,
            "sessions": sessions,
            "leads": leads,
            "roles": list(group.project.roles.all()),
            "is_participant": is_participant,
        }
        return render_to_string("workgroups/workgroup_detail.html#about", context)

    def _teacher_context(self, user: User) -> dict:
        group = self.object
        user.school = School.objects.filter(pk=user.school_id).first()
        verdict = eligibility(user, group)
        # The registration form asks for the invitation code, so its absence blocks nothing yet.
        blocking = verdict.other_reasons
        can_register = not blocking
        place = verdict.place
        if place is not None:
            place.school = user.school
            prefetch_related_objects([place], *_place_prefetches())
        mine = next(
            (r for r in (place.active_registrations if place else []) if r.user_id == user.pk),
            None,
        )
        # naming_refusal asks is_verified_leader first: no refusal is a confirmed leader.
        individual = joining_refusal(group.project)
        refusal = naming_refusal(user) if user.role == UserRole.SCHOOL_LEADER else None
        leader = user.role == UserRole.SCHOOL_LEADER and refusal is None and not individual
        return {
            "verdict": verdict,
            "reasons": blocking,
            "can_register": can_register,
            "form_html": registration_form_html(group.project, verdict.role)
            if can_register
            else None,
            "school_place": place,
            "my_registration": mine,
            "roster": place_roster(place, group.project.roles.all()) if place else None,
            "show_roster": place is not None and (mine is not None or leader),
            "is_leader": leader,
            "nomination_form_html": nomination_form_html(group.project)
            if leader and place
            else None,
            "naming_refusal": individual or refusal,
            # Someone at a school that holds a place, who cannot name colleagues themselves,
            # learns who can.
            "leaders_who_name": confirmed_leaders(user.school)
            if place is not None and not leader and user.school is not None and not individual
            else None,
            "nominations_per_day": NOMINATIONS_PER_DAY,
            "is_participant": mine is not None and place.status in TAKEN_PLACE_STATUSES,
        }


def _fields_html(form, project) -> str:
    """The form's fields as crispy renders them, its roles taken from the project's cached
    rules rather than asked of the database again."""
    field = form.fields["role"]
    field.choices = [(role.pk, field.label_from_instance(role)) for role in project.roles.all()]
    return render_to_string("workgroups/_form_fields.html", {"form": form})


def registration_form_html(project, role) -> str:
    """The registration form's fields, as rendered for a project and a suggested role: the
    same for everyone, so cached (an invalid form is rendered with its errors instead)."""
    return get_or_build(
        "registration-form",
        lambda: _fields_html(RegistrationForm(project=project, initial={"role": role}), project),
        REFERENCE,
        parts=(project.pk, role.pk if role else None),
    )


def nomination_form_html(project) -> str:
    """The form a confirmed school leader names a colleague with, before anything is sent."""
    return get_or_build(
        "nomination-form",
        lambda: _fields_html(NominationForm(project=project), project),
        REFERENCE,
        parts=(project.pk,),
    )


class RegisterView(ProfileRequiredMixin, WorkGroupDetailView):
    """POST: register yourself through ``services.register``; refusals show beside the form."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
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


def _order_note(group) -> str:
    """What a waiting school should know of its project's rule for a full group."""
    if group.project.oversubscription == Oversubscription.DISADVANTAGE_FIRST:
        return (
            " Places that come free go to schools with more disadvantaged pupils first, so "
            "your position can change."
        )
    return ""


def outcome_message(registration: Registration) -> str:
    place = registration.place
    group = place.work_group
    if place.status == PlaceStatus.WAITLISTED:
        position = waitlist_position(place)
        return (
            f"{group.name} is full, so your school is on the waiting list in position "
            f"{position}.{_order_note(group)} We will email you when a place is free."
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
        self.leader = is_verified_leader(user)
        mine = Q(registrations__user=user, registrations__status=RegistrationStatus.ACTIVE)
        if self.leader:
            mine |= Q(school_id=user.school_id)
        visible = Place.objects.filter(mine).values("pk")
        return (
            Place.objects.filter(pk__in=visible)
            .select_related("school", "requested_by", "work_group__hub")
            .prefetch_related(*_place_prefetches())
        )

    def get_context_data(self, **kwargs):
        place = self.object
        group = place.work_group
        group.project = project_rules([group.project_id])[group.project_id].project_with_rules()
        user = self.request.user
        leader = self.leader and place.school_id == user.school_id
        return super().get_context_data(
            roster=place_roster(place, group.project.roles.all()),
            is_leader=leader,
            nomination_form_html=nomination_form_html(group.project) if leader else None,
            nominations_per_day=NOMINATIONS_PER_DAY,
            group=group,
            invitations=place_invitations(place, user) if leader else [],
            # Everyone else at the school learns who can name colleagues for it.
            leaders_who_name=None if leader else confirmed_leaders(place.school),
            **kwargs,
        )


def with_shown_status(nominations, may_cancel_row=lambda nomination: False) -> list[Nomination]:
    """The invitations still open or closed unanswered lately, each with ``shown`` (its status
    as both sides see it), ``lapses_on``, ``closed_on`` and ``cancellable`` (open, and
    ``may_cancel_row`` says so). Needs each one's place read."""
    now = timezone.now()
    rows = []
    for nomination in nominations:
        nomination.shown = shown_status(nomination, now)
        nomination.lapses_on = lapses_at(nomination)
        nomination.closed_on = closed_on(nomination)
        if nomination.closed_on is not None and nomination.closed_on < now - SHOWN_AFTER_CLOSING:
            continue
        nomination.cancellable = nomination.shown == NominationStatus.INVITED and may_cancel_row(
            nomination
        )
        rows.append(nomination)
    return rows


def recent_invitations():
    """Invitations open or closed unanswered lately: a lapsed or cancelled one was sent within
    its lifetime before it closed, so nothing older can still be shown."""
    since = timezone.now() - INVITATION_LIFETIME - SHOWN_AFTER_CLOSING
    unanswered = [NominationStatus.INVITED, NominationStatus.EXPIRED, NominationStatus.CANCELLED]
    return Nomination.objects.filter(status__in=unanswered, created_at__gte=since)


def place_invitations(place: Place, leader: User) -> list[Nomination]:
    """The school's invitations to its place, whoever sent them, for one of its confirmed
    leaders, who may cancel any still open (``may_cancel``) but one naming themselves."""
    rows = recent_invitations().filter(place=place).select_related("role", "invited_by")
    rows = list(rows.order_by("-created_at"))
    for nomination in rows:
        nomination.place = place
    return with_shown_status(rows, lambda nomination: nomination.user_id != leader.pk)
