"""Admin for groups, sessions, places and registrations: where hub staff run their groups.

Places and registrations change only through ``workgroups.services`` (actions and the add form
call them), so the admin holds no registration rule of its own.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.utils.html import format_html_join, mark_safe

from core.admin import HubScopedAdmin, HubScopedInline, scope_choices
from projects.models import ParticipantRole
from workgroups import services
from workgroups.eligibility import eligibility
from workgroups.models import (
    Attendance,
    GapTaskResponse,
    Invitation,
    Milestone,
    Nomination,
    Place,
    Registration,
    RegistrationStatus,
    Session,
    SessionRecord,
    WorkGroup,
)

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


def run_service(model_admin, request, objects, call, done: str) -> None:
    """Call a service for each object; report each refusal and count the successes."""
    count = 0
    for obj in objects:
        try:
            call(obj)
        except services.RegistrationError as error:
            model_admin.message_user(request, " ".join(error.reasons), messages.ERROR)
        else:
            count += 1
    if count:
        model_admin.message_user(request, done.format(count=count), messages.SUCCESS)


def participants_html(registrations):
    """Names and roles, one per line (for registrations fetched with their user and role)."""
    rows = ((registration.user, registration.role.name) for registration in registrations)
    return format_html_join(mark_safe("<br>"), "{} ({})", rows) or "—"


def active_registrations_prefetch():
    registrations = Registration.objects.active().select_related("user", "role")
    return Prefetch("registrations", queryset=registrations, to_attr="active_registrations")


class SessionInline(HubScopedInline, admin.TabularInline):
    model = Session
    fields = ("number", "starts_at", "ends_at", "mode", "venue", "focus", "cancelled")
    show_change_link = True


class PlaceInline(HubScopedInline, admin.TabularInline):
    """Schools' places, read-only: they change through the Place actions, which call services."""

    model = Place
    fields = ("school", "status", "requested_at", "participants")
    readonly_fields = fields
    ordering = ("requested_at", "pk")
    show_change_link = True

    def get_queryset(self, request):
        # The row title names the school and the group.
        queryset = super().get_queryset(request).select_related("school", "work_group")
        return queryset.prefetch_related(active_registrations_prefetch())

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="participants")
    def participants(self, place):
        return participants_html(place.active_registrations)


@admin.register(WorkGroup)
class WorkGroupAdmin(HubScopedAdmin):
    # Meta.ordering is dropped from GROUP BY queries, and the counts below group.
    ordering = WorkGroup._meta.ordering
    list_display = (
        "name",
        "project",
        "hub",
        "academic_year",
        "activity_type",
        "status",
        "delivery_mode",
        "capacity",
        "places_taken",
        "places_left",
        "waitlisted",
    )
    list_filter = (
        ("hub", RELATED_ONLY),
        ("project", RELATED_ONLY),
        "academic_year",
        "project__activity_type",
        "project__phases",
        "status",
        "delivery_mode",
    )
    list_select_related = ("project", "hub", "academic_year")
    search_fields = ("name", "project__title", "hub__name", "venue")
    autocomplete_fields = ("project", "leads")
    readonly_fields = ("places_taken", "places_left", "waitlisted")
    fieldsets = (
        (None, {"fields": ("project", "hub", "academic_year", "name", "leads", "status")}),
        ("Delivery", {"fields": ("delivery_mode", "venue")}),
        (
            "Places",
            {
                "fields": (
                    "capacity",
                    ("places_taken", "places_left", "waitlisted"),
                    ("recruitment_opens", "recruitment_closes"),
                )
            },
        ),
    )
    inlines = [SessionInline, PlaceInline]
    actions = [*HubScopedAdmin.actions, "promote_from_waitlist"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_place_counts()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"capacity", "status"} & set(form.changed_data):
            # More places (or a group reopened) may let waiting schools in.
            services.promote_from_waitlist(work_group=obj)

    @admin.display(description="activity type", ordering="project__activity_type")
    def activity_type(self, group):
        return group.project.get_activity_type_display()

    @admin.display(description="places taken", ordering="places_taken")
    def places_taken(self, group):
        return getattr(group, "places_taken", None)

    @admin.display(description="places left")
    def places_left(self, group):
        return group.places_left if hasattr(group, "places_taken") else None

    @admin.display(description="waiting list", ordering="places_waitlisted")
    def waitlisted(self, group):
        return getattr(group, "places_waitlisted", None)

    @admin.action(description="Promote from the waiting list", permissions=["change"])
    def promote_from_waitlist(self, request, queryset):
        promoted = sum(len(services.promote_from_waitlist(work_group=group)) for group in queryset)
        self.message_user(request, f"{promoted} waiting school(s) given a place.", messages.INFO)


@admin.register(Session)
class SessionAdmin(HubScopedAdmin):
    list_display = ("work_group", "number", "starts_at", "mode", "focus", "cancelled")
    list_filter = (("work_group__hub", RELATED_ONLY), "mode", "focus", "cancelled")
    list_select_related = ("work_group",)
    search_fields = ("work_group__name", "venue")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("work_group",)


class NominationInline(HubScopedInline, admin.TabularInline):
    """Colleagues the school leader named for the place; open ones are still to sign up."""

    model = Nomination
    fields = ("email", "role", "invited_by", "created_at", "claimed")
    readonly_fields = fields
    verbose_name_plural = "colleagues named by the school"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role", "invited_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="signed up", boolean=True)
    def claimed(self, nomination):
        return nomination.registration_id is not None


@admin.register(Place)
class PlaceAdmin(HubScopedAdmin):
    """A school's place; its status changes only through the actions, which call services."""

    # Meta.ordering is dropped from GROUP BY queries, and the counts below group.
    ordering = Place._meta.ordering

    list_display = ("school", "work_group", "hub", "status", "requested_at", "participant_count")
    list_filter = (
        "status",
        ("work_group__hub", RELATED_ONLY),
        "work_group__academic_year",
        ("work_group__project", RELATED_ONLY),
    )
    list_select_related = ("school", "work_group__hub")
    search_fields = ("school__name", "=school__urn", "work_group__name")
    date_hierarchy = "requested_at"
    fields = (
        "work_group",
        "school",
        "status",
        "requested_at",
        "requested_by",
        "decided_at",
        "participants",
    )
    readonly_fields = fields
    actions = [*HubScopedAdmin.actions, "confirm_places", "decline_places"]
    inlines = [NominationInline]

    def get_queryset(self, request):
        active = Q(registrations__status=RegistrationStatus.ACTIVE)
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return queryset.annotate(participant_total=Count("registrations", filter=active))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="hub", ordering="work_group__hub__name")
    def hub(self, place):
        return place.work_group.hub

    @admin.display(description="participants", ordering="participant_total")
    def participant_count(self, place):
        return place.participant_total

    @admin.display(description="participants")
    def participants(self, place):
        return participants_html(place.registrations.active().select_related("user", "role"))

    @admin.action(description="Confirm selected places", permissions=["change"])
    def confirm_places(self, request, queryset):
        confirm = services.confirm_place
        run_service(
            self, request, queryset, lambda p: confirm(place=p), "{count} place(s) confirmed."
        )

    @admin.action(description="Decline selected places", permissions=["change"])
    def decline_places(self, request, queryset):
        decline = services.decline_place
        run_service(
            self, request, queryset, lambda p: decline(place=p), "{count} place(s) declined."
        )


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, role):
        return f"{role.project.code}: {role.name}"


class RegistrationAddForm(forms.ModelForm):
    """Registers someone for their school as the site would: eligibility, then the service."""

    group = forms.ModelChoiceField(
        queryset=WorkGroup.objects.select_related("project", "academic_year"),
        widget=AutocompleteSelect(Registration._meta.get_field("work_group"), admin.site),
    )
    role = RoleChoiceField(
        queryset=ParticipantRole.objects.select_related("project"),
        required=False,
        help_text="Leave empty for the first role the school still has room in.",
    )

    class Meta:
        model = Registration
        fields = ("user", "role")

    def clean(self):
        cleaned = super().clean()
        user, group = cleaned.get("user"), cleaned.get("group")
        if user and group:
            for reason in eligibility(user, group, role=cleaned.get("role")).reasons:
                self.add_error(None, reason)
        return cleaned

    def register(self) -> Registration:
        data = self.cleaned_data
        return services.register(user=data["user"], work_group=data["group"], role=data["role"])


@admin.register(Registration)
class RegistrationAdmin(HubScopedAdmin):
    """Registrations are added through ``services.register`` and otherwise only withdrawn."""

    list_display = ("user", "school", "work_group", "role_name", "status", "created_at")
    list_filter = (
        "status",
        ("work_group__hub", RELATED_ONLY),
        "work_group__academic_year",
        ("work_group__project", RELATED_ONLY),
    )
    list_select_related = ("user", "role", "place__school", "work_group")
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "place__school__name",
        "work_group__name",
    )
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    actions = [*HubScopedAdmin.actions, "withdraw_registrations"]

    def get_queryset(self, request):
        # Also for autocomplete, which names registrations after their user and role.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RegistrationAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if "group" in form.base_fields:
            # A copy: declared fields are shared between requests.
            group = form.base_fields["group"] = copy.deepcopy(form.base_fields["group"])
            group.queryset = scope_choices(group.queryset, request.user)
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("user", "group", "role")})]
        return super().get_fieldsets(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        return form.register() if not change else super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except services.RegistrationError as error:
            # The group changed between the check and the save (the last place went).
            self.message_user(request, " ".join(error.reasons), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="school", ordering="place__school__name")
    def school(self, registration):
        return registration.place.school.name

    @admin.display(description="role", ordering="role__name")
    def role_name(self, registration):
        return registration.role.name

    @admin.action(description="Withdraw selected registrations", permissions=["change"])
    def withdraw_registrations(self, request, queryset):
        run_service(
            self,
            request,
            queryset.active(),
            lambda registration: services.withdraw(registration=registration),
            "{count} registration(s) withdrawn.",
        )


@admin.register(Attendance)
class AttendanceAdmin(HubScopedAdmin):
    list_display = ("participant", "group", "session", "status")
    list_filter = ("status", ("session__work_group__hub", RELATED_ONLY))
    list_select_related = ("registration__user", "registration__role", "session__work_group")
    search_fields = ("registration__user__email", "registration__user__last_name")
    autocomplete_fields = ("session", "registration")

    @admin.display(description="participant", ordering="registration__user__last_name")
    def participant(self, attendance):
        return attendance.registration.user

    @admin.display(description="group", ordering="session__work_group__name")
    def group(self, attendance):
        return attendance.session.work_group


@admin.register(Milestone)
class MilestoneAdmin(HubScopedAdmin):
    list_display = ("description", "work_group", "term", "due_on", "status", "updated_at")
    list_filter = ("term", "status", ("work_group__hub", RELATED_ONLY))
    list_select_related = ("work_group",)
    search_fields = ("description", "work_group__name")
    date_hierarchy = "due_on"
    autocomplete_fields = ("work_group",)


@admin.register(SessionRecord)
class SessionRecordAdmin(HubScopedAdmin):
    list_display = ("session", "group", "author", "status", "updated_at")
    list_filter = ("status", ("session__work_group__hub", RELATED_ONLY))
    list_select_related = ("session__work_group", "author")
    search_fields = ("session__work_group__name", "what_was_done", "gap_task")
    autocomplete_fields = ("session", "author")

    def get_queryset(self, request):
        # Also for autocomplete, which names records after their session.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="group", ordering="session__work_group__name")
    def group(self, record):
        return record.session.work_group


@admin.register(GapTaskResponse)
class GapTaskResponseAdmin(HubScopedAdmin):
    list_display = ("participant", "group", "session", "submitted_at")
    list_filter = (("registration__work_group__hub", RELATED_ONLY),)
    list_select_related = ("registration__user", "session_record__session__work_group")
    search_fields = ("registration__user__email", "registration__user__last_name", "what_i_did")
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("registration", "session_record")

    @admin.display(description="participant", ordering="registration__user__last_name")
    def participant(self, response):
        return response.registration.user

    @admin.display(description="group")
    def group(self, response):
        return response.session_record.session.work_group

    @admin.display(description="session")
    def session(self, response):
        return response.session_record.session


@admin.register(Invitation)
class InvitationAdmin(HubScopedAdmin):
    list_display = ("code", "work_group", "school", "created_at")
    list_filter = (("work_group__hub", RELATED_ONLY),)
    list_select_related = ("work_group", "school")
    search_fields = ("code", "work_group__name", "school__name")
    autocomplete_fields = ("work_group", "school")
