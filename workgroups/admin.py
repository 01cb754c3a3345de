"""Admin for groups, sessions, places and registrations: where hub staff run their groups.

Places and registrations change only through ``workgroups.services`` (actions and the add form
call them), so the admin holds no registration rule of its own.
"""

import copy
import datetime
from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, F, OuterRef, Prefetch, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join, mark_safe

from core import audit, scoping
from core.admin import (
    AutocompleteSelect,
    HubChoicesFilter,
    HubScopedAdmin,
    HubScopedInline,
    scope_choices,
)
from core.admin_tools import (
    Attention,
    HistoryProtectedMixin,
    ReadOnlyAdminMixin,
    add_reasons,
    needs_attention,
    object_form_view,
    run_service,
)
from core.text import MAX_TEXT
from projects.models import AcademicYear, ParticipantRole
from workgroups import services, waiting_list
from workgroups.eligibility import eligibility
from workgroups.models import (
    OPEN_FOR_REGISTRATION,
    PROMOTABLE_GROUP_STATUSES,
    WAITING_ORDER,
    Attendance,
    GapTaskResponse,
    Invitation,
    Milestone,
    Nomination,
    Place,
    PlaceStatus,
    Registration,
    Session,
    SessionRecord,
    WorkGroup,
    WorkGroupStatus,
    waitlist_position_subquery,
)
from workgroups.services import delivery
from workgroups.services.nominations import cancel_nomination, open_q
from workgroups.services.registration import MAX_CAPACITY

# Filter choices from the hub, project, year and phase tables, never from the list's own rows,
# kept in the cache until the national team changes those tables.
HUB_CHOICES = HubChoicesFilter


def participants_html(registrations):
    """Names and roles, one per line (for registrations fetched with their user and role)."""
    rows = ((registration.user, registration.role.name) for registration in registrations)
    return format_html_join(mark_safe("<br>"), "{} ({})", rows) or "—"


def active_registrations_prefetch():
    registrations = Registration.objects.active().select_related("user", "role")
    return Prefetch("registrations", queryset=registrations, to_attr="active_registrations")


class SessionInline(ReadOnlyAdminMixin, HubScopedInline, admin.TabularInline):
    """The group's sessions, read-only: each is added, moved or cancelled on its own page,
    through the same services as the leads' area, which tell the participants."""

    template = "admin/edit_inline/readonly_tabular.html"
    model = Session
    fields = ("number", "starts_at", "ends_at", "mode", "venue", "focus", "cancelled")
    readonly_fields = fields
    show_change_link = True
    ordering = ("starts_at", "pk")


class PlaceInline(ReadOnlyAdminMixin, HubScopedInline, admin.TabularInline):
    """Schools' places, read-only: they change through the Place actions, which call services.
    Places in the order schools asked, then the waiting list in the order it is served, each
    waiting school with its position and why (the project's rule)."""

    template = "admin/edit_inline/readonly_tabular.html"
    model = Place
    fields = ("school", "status", "requested_at", "waiting_position", "participants")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        # The row title names the school and the group; the reason names the project's rule.
        queryset = super().get_queryset(request).select_related("school", "work_group__project")
        queryset = queryset.annotate(waitlist_position=waitlist_position_subquery(""))
        return queryset.prefetch_related(active_registrations_prefetch()).order_by(
            F("waitlist_position").asc(nulls_first=True), "requested_at", "pk"
        )

    @admin.display(description="waiting list")
    def waiting_position(self, place):
        return waiting_list.why(place, place.waitlist_position) or "—"

    @admin.display(description="participants")
    def participants(self, place):
        return participants_html(place.active_registrations)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="How many schools can take a confirmed place. More places are offered to the "
        "waiting list in the order schools asked; fewer can't go below the places taken.",
    )

    def __init__(self, group, data=None):
        super().__init__(data, initial={"capacity": group.capacity})
        self.group = group

    def save(self, *, by) -> str:
        with audit.by(by):
            promoted = services.change_capacity(
                work_group=self.group, capacity=self.cleaned_data["capacity"]
            )
        names = ", ".join(place.school.name for place in promoted)
        given = f" Given a place from the waiting list: {names}." if promoted else ""
        return f"{self.group.name} now has {self.cleaned_data['capacity']} places.{given}"


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Needed to cancel: every participant and school is emailed it.",
    )

    def __init__(self, group, data=None):
        super().__init__(data)
        self.group = group
        self.fields["status"].choices = [
            (status, WorkGroupStatus(status).label) for status in services.next_statuses(group)
        ]

    def save(self, *, by) -> str:
        status, reason = self.cleaned_data["status"], self.cleaned_data["reason"]
        with audit.by(by, reason=reason):
            group = services.change_status(work_group=self.group, status=status, reason=reason)
        return f"{group.name} is now {group.get_status_display().lower()}."


class CopyForm(forms.Form):
    to_year = forms.ModelChoiceField(
        label="Copy into",
        queryset=AcademicYear.objects.order_by("starts_on"),
        required=False,
        empty_label="The year after each group's own",
        help_text="Each copy is a draft with the same project, leads who are still active, "
        "venue and places, its sessions on the same weekdays of the new year.",
    )


class WorkGroupAddForm(forms.ModelForm):
    """A new group starts as a draft; its places are checked like any change of capacity."""

    class Meta:
        model = WorkGroup
        fields = (
            "project",
            "hub",
            "academic_year",
            "name",
            "leads",
            "delivery_mode",
            "venue",
            "venue_school",
            "capacity",
            "recruitment_opens",
            "recruitment_closes",
        )

    def clean(self):
        cleaned = super().clean()
        project, capacity = cleaned.get("project"), cleaned.get("capacity")
        if project is not None and capacity is not None:
            try:
                services.check_capacity(project, capacity)
            except services.RegistrationError as error:
                add_reasons(self, error)
        return cleaned


@admin.register(WorkGroup)
class WorkGroupAdmin(HistoryProtectedMixin, HubScopedAdmin):
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
        ("hub", HUB_CHOICES),
        ("project", HUB_CHOICES),
        ("academic_year", HUB_CHOICES),
        "project__activity_type",
        ("project__phases", HUB_CHOICES),
        "status",
        "delivery_mode",
    )
    list_select_related = ("project", "hub", "academic_year")
    # What the columns and each row's name show: not the projects' descriptions.
    list_only = (
        *list_select_related,
        "name",
        "project__title",
        "project__code",
        "project__activity_type",
        "hub__name",
        "academic_year__label",
        "status",
        "delivery_mode",
        "capacity",
        "taken_count",
        "waitlisted_count",
    )
    # Newest groups first, by the primary key's index: the groups' own order (year, project,
    # name) sorted every group of the country before showing the first 25.
    ordering = ("-pk",)
    search_fields = ("name", "project__title", "hub__name", "venue")
    autocomplete_fields = ("project", "leads")
    # A plain labelled box for the school's id (with a lookup): an empty select2 box has no
    # accessible name.
    raw_id_fields = ("venue_school",)

    # Changed only through "Change places" and "Change status", which call the services.
    consequential_fields = ("project", "hub", "academic_year", "status_with_link", "places")
    inlines = [SessionInline, PlaceInline]
    actions = [*HubScopedAdmin.actions, "promote_from_waitlist", "copy_to_next_year"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("project", "hub", "academic_year", "name", "leads")}),
                ("Delivery", {"fields": ("delivery_mode", "venue", "venue_school")}),
                ("Places", {"fields": ("capacity", ("recruitment_opens", "recruitment_closes"))}),
            )
        return (
            (None, {"fields": ("project", "hub", "academic_year", "name", "leads")}),
            ("Status", {"fields": ("status_with_link", "cancellation_reason")}),
            ("Delivery", {"fields": ("delivery_mode", "venue", "venue_school")}),
            (
                "Places",
                {
                    "fields": (
                        "places",
                        ("places_taken", "places_left", "waitlisted"),
                        "waiting_list_order",
                        ("recruitment_opens", "recruitment_closes"),
                    )
                },
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            *self.consequential_fields,
            "cancellation_reason",
            "places_taken",
            "places_left",
            "waitlisted",
            "waiting_list_order",
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = WorkGroupAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request):
        # The change page shows the project, hub and year too.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "leads":  # each chosen lead is shown by name
            field.queryset = field.queryset.select_related("user")
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            obj.status = WorkGroupStatus.DRAFT
        super().save_model(request, obj, form, change)

    def delete_refusal(self, group) -> str | None:
        if group.places.exists() or group.sessions.exists():
            return (
                f"{group.name} has schools' places or sessions, so deleting it would lose its "
                "history. Change its status to cancelled instead."
            )
        return None

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("<path:object_id>/places/", wrap(self.capacity_view), name="workgroup_capacity"),
            path("<path:object_id>/status/", wrap(self.status_view), name="workgroup_status"),
            *super().get_urls(),
        ]

    def capacity_view(self, request, object_id):
        return object_form_view(
            self,
            request,
            object_id,
            form_class=CapacityForm,
            title="Change places",
            submit="Save places",
        )

    def status_view(self, request, object_id):
        return object_form_view(
            self,
            request,
            object_id,
            form_class=StatusForm,
            title="Change status",
            intro="Cancelling releases every school's place and tells every participant. "
            "Completing marks which schools attended enough sessions.",
            submit="Change status",
        )

    @admin.display(description="status")
    def status_with_link(self, group):
        link = reverse("admin:workgroup_status", args=[group.pk])
        if not services.next_statuses(group):
            return group.get_status_display()
        return format_html('{} <a href="{}">Change status</a>', group.get_status_display(), link)

    @admin.display(description="places")
    def places(self, group):
        link = reverse("admin:workgroup_capacity", args=[group.pk])
        return format_html('{} <a href="{}">Change places</a>', group.capacity, link)

    @admin.display(description="activity type", ordering="project__activity_type")
    def activity_type(self, group):
        return group.project.get_activity_type_display()

    @admin.display(description="places taken", ordering="taken_count")
    def places_taken(self, group):
        return group.taken_count

    @admin.display(description="places left")
    def places_left(self, group):
        return group.places_left

    @admin.display(description="waiting list", ordering="waitlisted_count")
    def waitlisted(self, group):
        return group.waitlisted_count

    @admin.display(description="waiting list order")
    def waiting_list_order(self, group):
        rule = waiting_list.RULE_IN_WORDS[group.project.oversubscription]
        link = reverse("admin:workgroups_place_changelist") + (
            f"?work_group__id__exact={group.pk}&status__exact={PlaceStatus.WAITLISTED}"
        )
        return format_html(
            '{}. <a href="{}">The waiting list in order, and why</a>', rule.capitalize(), link
        )

    @admin.action(description="Copy to next year (as drafts)", permissions=["change"])
    def copy_to_next_year(self, request, queryset):
        """Ask which year on an intermediate page, then copy each group through the service,
        saying how many were copied and why any were not."""
        groups = queryset.select_related("project", "hub", "academic_year")
        form = CopyForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/workgroups/workgroup/copy_to_next_year.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Copy groups to next year",
                    "opts": self.model._meta,
                    "groups": groups,
                    "form": form,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        outcome = services.copy_groups(
            groups=groups, to_year=form.cleaned_data["to_year"], by=request.user
        )
        for _, reason in outcome.refused:
            self.message_user(request, f"Not copied: {reason}", messages.ERROR)
        if outcome.copied:
            names = "; ".join(f"{copy.name} ({copy.academic_year})" for copy in outcome.copied)
            self.message_user(
                request,
                f"Copied {len(outcome.copied)} group(s) as drafts: {names}.",
                messages.SUCCESS,
            )
        return None

    @admin.action(description="Promote from the waiting list", permissions=["change"])
    def promote_from_waitlist(self, request, queryset):
        with audit.by(request.user):
            promoted = [
                place
                for group in queryset
                for place in services.promote_from_waitlist(work_group=group)
            ]
        names = ", ".join(place.school.name for place in promoted) or "none"
        self.message_user(
            request, f"{len(promoted)} waiting school(s) given a place: {names}.", messages.INFO
        )


class SessionForm(forms.ModelForm):
    """Sessions are added and changed through the same services as the leads' area: numbered
    in date order, within the group's school year, with a venue or a link, an overlap or a past
    date saved only once confirmed, and participants told of a new date, time or place."""

    confirm = forms.BooleanField(
        required=False,
        label="Save it anyway",
        help_text="Tick to save a session that overlaps another or is in the past, once you "
        "have read what is said about it.",
    )

    class Meta:
        model = Session
        fields = ("work_group", "starts_at", "ends_at", "mode", "focus", "venue", "joining_link")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        group = self.instance.work_group if self.instance.pk else cleaned.get("work_group")
        if starts_at and ends_at and group is not None:
            try:
                delivery.check_session(
                    group,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    mode=cleaned.get("mode", ""),
                    venue=cleaned.get("venue", ""),
                    joining_link=cleaned.get("joining_link", ""),
                    planned=self.instance.planned,
                    session=self.instance if self.instance.pk else None,
                    confirmed=cleaned.get("confirm", False),
                )
            except delivery.SessionNeedsConfirmation as asked:
                for warning in asked.reasons:
                    self.add_error("confirm", warning)
            except services.DeliveryError as error:
                add_reasons(self, error)
        return cleaned


@admin.register(Session)
class SessionAdmin(HistoryProtectedMixin, HubScopedAdmin):
    form = SessionForm
    list_display = ("work_group", "number", "starts_at", "mode", "focus", "cancelled")
    list_filter = (("work_group__hub", HUB_CHOICES), "starts_at", "mode", "focus", "cancelled")
    list_select_related = ("work_group",)
    # Newest groups first, each in date order: the index ``session_admin_order_idx``.
    ordering = ("-work_group_id", "starts_at", "pk")
    search_fields = ("work_group__name", "venue")
    autocomplete_fields = ("work_group",)
    actions = [*HubScopedAdmin.actions, "cancel_sessions"]

    def get_readonly_fields(self, request, obj=None):
        return ("work_group", "number", "cancelled") if obj else ("number", "cancelled")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        details = {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "mode": data["mode"],
            "focus": data["focus"],
            "venue": data["venue"],
            "joining_link": data["joining_link"],
        }
        details["confirmed"] = data.get("confirm", False)
        with audit.by(request.user):
            if change:
                saved = services.reschedule_session(session=obj, planned=obj.planned, **details)
            else:
                saved = services.schedule_session(work_group=data["work_group"], **details)
        obj.pk, obj.number = saved.pk, saved.number

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.DeliveryError as error:
            # The group changed between the form's checks and the save (another session).
            self.message_user(request, " ".join(error.reasons), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_refusal(self, session) -> str | None:
        if session.attendances.exists() or hasattr(session, "record"):
            return (
                "This session has attendance or a session record, so it took place and is "
                "part of the group's history. It can't be deleted."
            )
        return "Cancel the session instead: its participants are told, and its number stays."

    @admin.action(description="Cancel selected sessions (participants are told)")
    def cancel_sessions(self, request, queryset):
        with audit.by(request.user):
            run_service(
                self,
                request,
                queryset,
                lambda session: services.cancel_session(session=session),
                "{count} session(s) cancelled; their participants are told.",
            )


class NominationInline(ReadOnlyAdminMixin, HubScopedInline, admin.TabularInline):
    """Colleagues the school leader invited to the place, and whether they answered."""

    template = "admin/edit_inline/readonly_tabular.html"
    model = Nomination
    fields = ("email", "role", "invited_by", "created_at", "status", "answered_at")
    readonly_fields = fields
    verbose_name_plural = "colleagues named by the school"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role", "invited_by")


@admin.register(Place)
class PlaceAdmin(HubScopedAdmin):
    """A school's place; its status changes only through the actions, which call services."""

    list_display = (
        "school",
        "work_group",
        "hub",
        "status",
        "requested_at",
        "waiting_position",
        "participant_count",
    )
    list_filter = (
        "status",
        ("work_group__hub", HUB_CHOICES),
        ("work_group__academic_year", HUB_CHOICES),
        ("work_group__project", HUB_CHOICES),
        "requested_at",
    )
    list_select_related = ("school", "work_group__hub")
    list_only = (
        *list_select_related,
        "school__name",
        "school__urn",
        "school__fsm_percentage",
        "work_group__name",
        "work_group__hub__name",
        "work_group__project",
        "work_group__project__oversubscription",
        "status",
        "requested_at",
        "registration_count",
    )
    # Newest groups first, each in the order schools asked: the index ``place_admin_order_idx``.
    ordering = ("-work_group_id", "requested_at", "pk")
    search_fields = ("school__name", "=school__urn", "work_group__name")
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
    actions = [*HubScopedAdmin.actions, "confirm_places", "decline_places", "cancel_invitations"]
    inlines = [NominationInline]

    def get_queryset(self, request):
        # Also for the change page and actions, which name the place after its school and group.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def list_rows(self, queryset):
        """The page's rows with their project's rule for a full group."""
        return queryset.select_related("work_group__project")

    def list_page(self, places):
        """Each waiting school's position on the page, from one query over the waiting lists
        of the page's groups that have one, in the order they are served (``WAITING_ORDER``)."""
        groups = {place.work_group_id for place in places if place.status == PlaceStatus.WAITLISTED}
        if not groups:
            return places
        served = (
            Place.objects.filter(work_group_id__in=groups, status=PlaceStatus.WAITLISTED)
            .order_by("work_group_id", *WAITING_ORDER)
            .values_list("pk", "work_group_id")
        )
        position, so_far = {}, Counter()
        for pk, group in served:
            so_far[group] += 1
            position[pk] = so_far[group]
        for place in places:
            place.waitlist_position = position.get(place.pk)
        return places

    def get_ordering(self, request):
        # A group's waiting list (filtered to one group's waiting places) in the order it is
        # served, so position 1 is at the top.
        if request.GET.get("status__exact") == PlaceStatus.WAITLISTED and request.GET.get(
            "work_group__id__exact"
        ):
            return WAITING_ORDER
        return super().get_ordering(request)

    @admin.display(description="waiting list")
    def waiting_position(self, place):
        return waiting_list.why(place, getattr(place, "waitlist_position", None)) or "—"

    @admin.display(description="hub", ordering="work_group__hub__name")
    def hub(self, place):
        return place.work_group.hub

    @admin.display(description="participants", ordering="registration_count")
    def participant_count(self, place):
        return place.registration_count

    @admin.display(description="participants")
    def participants(self, place):
        return participants_html(place.registrations.active().select_related("user", "role"))

    @admin.action(
        description="Cancel colleagues' invitations still waiting in selected places",
        permissions=["change"],
    )
    def cancel_invitations(self, request, queryset):
        """Each invitation through ``cancel_nomination``, which tells the colleague and writes
        the audit trail."""
        run_service(
            self,
            request,
            Nomination.objects.filter(open_q(), place__in=queryset),
            lambda nomination: cancel_nomination(nomination=nomination, by=request.user),
            "{count} invitation(s) cancelled; each colleague is told by email.",
        )

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
        ("work_group__hub", HUB_CHOICES),
        ("work_group__academic_year", HUB_CHOICES),
        ("work_group__project", HUB_CHOICES),
        "created_at",
    )
    list_select_related = ("user", "role", "place__school", "work_group")
    list_only = (
        *list_select_related,
        "place",
        "user__first_name",
        "user__last_name",
        "user__email",
        "place__school__name",
        "status",
        "created_at",
    )
    # Newest groups first, each by school: the index ``registration_admin_order_idx``.
    ordering = ("-work_group_id", "place_id", "pk")
    search_fields = (
        "user__email",
        "user__first_name",
        "user__last_name",
        "place__school__name",
        "work_group__name",
    )
    autocomplete_fields = ("user",)
    actions = [*HubScopedAdmin.actions, "withdraw_registrations"]

    def get_queryset(self, request):
        # Also for autocomplete, which names registrations after their user and role.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def list_rows(self, queryset):
        """A page's rows joined to their people and schools, their roles and groups read
        apart: planning the join of all six tables took PostgreSQL 3 ms, longer than running
        it (``core.admin.ChangeList.get_results``)."""
        return (
            queryset.select_related(None)
            .select_related("user", "place__school")
            .prefetch_related(
                Prefetch("role", ParticipantRole.objects.only("name")),
                Prefetch("work_group", WorkGroup.objects.only("name")),
            )
        )

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
class AttendanceAdmin(ReadOnlyAdminMixin, HubScopedAdmin):
    list_display = ("participant", "group", "session", "status")
    list_filter = ("status", ("session__work_group__hub", HUB_CHOICES))
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
class MilestoneAdmin(ReadOnlyAdminMixin, HubScopedAdmin):
    list_display = ("description", "work_group", "term", "due_on", "status", "updated_at")
    list_filter = ("term", "status", ("work_group__hub", HUB_CHOICES), "due_on")
    list_select_related = ("work_group",)
    ordering = ("-work_group_id", "due_on", "pk")
    search_fields = ("description", "work_group__name")
    autocomplete_fields = ("work_group",)


@admin.register(SessionRecord)
class SessionRecordAdmin(ReadOnlyAdminMixin, HubScopedAdmin):
    list_display = ("session", "group", "author", "status", "updated_at")
    list_filter = ("status", ("session__work_group__hub", HUB_CHOICES))
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
class GapTaskResponseAdmin(ReadOnlyAdminMixin, HubScopedAdmin):
    list_display = ("participant", "group", "session", "submitted_at")
    list_filter = (("registration__work_group__hub", HUB_CHOICES), "submitted_at")
    list_select_related = ("registration__user", "session_record__session__work_group")
    search_fields = ("registration__user__email", "registration__user__last_name", "what_i_did")
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
    list_filter = (("work_group__hub", HUB_CHOICES),)
    list_select_related = ("work_group", "school")
    search_fields = ("code", "work_group__name", "school__name")
    autocomplete_fields = ("work_group", "school")


# What needs the hub's staff ---------------------------------------------------------------

SOON = datetime.timedelta(days=28)


def waiting_with_free_places(queryset):
    return queryset.filter(
        status__in=PROMOTABLE_GROUP_STATUSES,
        waitlisted_count__gt=0,
        taken_count__lt=F("capacity"),
    )


def short_of_schools_and_starting_soon(queryset):
    """Recruiting groups with fewer than half their places filled, whose first session is in
    the next four weeks."""
    now = timezone.now()
    first = Session.objects.filter(work_group=OuterRef("pk"), cancelled=False).order_by("starts_at")
    return queryset.annotate(first_session=Subquery(first.values("starts_at")[:1])).filter(
        status__in=OPEN_FOR_REGISTRATION,
        first_session__gte=now,
        first_session__lte=now + SOON,
        taken_count__lt=F("capacity") / 2.0,
    )


def past_without_attendance_or_record(queryset):
    """Sessions of running groups that are over, with no attendance taken and no record."""
    return queryset.filter(
        cancelled=False,
        ends_at__lt=timezone.now(),
        work_group__status=WorkGroupStatus.RUNNING,
        record__isnull=True,
    ).exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))


class GroupAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"
    fixed_choices = True  # the same for everyone: its sidebar may be cached (core.admin)
    options = {
        "free_places": ("Waiting list with free places", waiting_with_free_places),
        "short": ("Short of schools, starting soon", short_of_schools_and_starting_soon),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.options.items()]

    def queryset(self, request, queryset):
        chosen = self.options.get(self.value())
        return chosen[1](queryset) if chosen else queryset


class SessionAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"
    fixed_choices = True

    def lookups(self, request, model_admin):
        return [("unrecorded", "Past, with no attendance or record")]

    def queryset(self, request, queryset):
        if self.value() == "unrecorded":
            return past_without_attendance_or_record(queryset)
        return queryset


WorkGroupAdmin.list_filter = (GroupAttentionFilter, *WorkGroupAdmin.list_filter)
SessionAdmin.list_filter = (SessionAttentionFilter, *SessionAdmin.list_filter)


@needs_attention
def delivery_attention(request) -> list[Attention]:
    if not scoping.can_use_admin(request.user):
        return []
    groups = WorkGroup.objects.visible_to(request.user)
    places = Place.objects.visible_to(request.user)
    sessions = Session.objects.visible_to(request.user)
    groups_url = reverse("admin:workgroups_workgroup_changelist")
    return [
        Attention(
            "Places awaiting your approval",
            places.filter(status=PlaceStatus.PENDING).count(),
            reverse("admin:workgroups_place_changelist") + "?status__exact=pending",
        ),
        Attention(
            "Waiting lists with free places",
            waiting_with_free_places(groups).count(),
            groups_url + "?attention=free_places",
        ),
        Attention(
            "Groups short of schools, starting within four weeks",
            short_of_schools_and_starting_soon(groups).count(),
            groups_url + "?attention=short",
        ),
        Attention(
            "Past sessions with no attendance or record",
            past_without_attendance_or_record(sessions).count(),
            reverse("admin:workgroups_session_changelist") + "?attention=unrecorded",
        ),
    ]
