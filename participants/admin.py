"""Admin for people, schools, hubs, LLMEs, hub staff and school leader claims.

Schools and other reference data are read-only to hub staff (schools may choose any hub, so
they see every school); hubs, LLMEs, staff and leader claims are limited to the user's own
hubs, and people to those connected to them (``User.objects.connected_to_hubs``).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import scoping
from core.admin import (
    HubChoicesFilter,
    HubScopedAdmin,
    ReferenceDataAdmin,
    RulesPermissionsMixin,
    SortFirstPaginator,
)
from core.admin_tools import Attention, HistoryProtectedMixin, needs_attention, run_service
from participants import services
from participants.models import (
    LLME,
    ClaimStatus,
    Hub,
    HubMembership,
    LocalAuthority,
    Phase,
    Region,
    School,
    SchoolLeaderClaim,
    User,
)

# Only the national team may grant or see into these.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "is_national_team", "groups", "user_permissions")


@admin.register(Phase)
class PhaseAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "order")


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "ons_code")
    search_fields = ("name",)


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "region", "hub")
    list_filter = ("region", "hub")
    list_select_related = ("region", "hub")
    search_fields = ("name", "code")


@admin.register(School)
class SchoolAdmin(HistoryProtectedMixin, ReferenceDataAdmin):
    list_display = (
        "urn",
        "name",
        "phase",
        "local_authority",
        "region",
        "hub",
        "status",
        "is_state_funded",
    )
    list_filter = ("phase", "status", "region", "hub", "is_state_funded")
    list_select_related = ("local_authority", "region", "hub")
    search_fields = ("=urn", "name", "postcode", "town")
    autocomplete_fields = ("local_authority",)
    show_full_result_count = False

    def delete_refusal(self, school) -> str | None:
        if school.places.exists() or school.people.exists():
            return (
                f"{school.name} has people or places in groups, so deleting it would lose their "
                "history. When a school closes, the next GIAS import marks it closed."
            )
        return None


@admin.register(Hub)
class HubAdmin(HubScopedAdmin):
    """Hub staff see their own hub and cannot change it; the national team manages hubs."""

    hub_staff_may_edit = False
    list_display = ("name", "region", "lead_school", "contact_email")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(LLME)
class LLMEAdmin(HubScopedAdmin):
    list_display = ("user", "email", "hub", "specialisms", "accredited_on", "active")
    list_filter = (("hub", HubChoicesFilter), "active", "phases")
    list_select_related = ("user", "hub")
    # By email, the users' unique index, rather than sorting every LLME joined to their user.
    ordering = ("user__email",)
    search_fields = ("user__first_name", "user__last_name", "user__email")
    autocomplete_fields = ("user",)
    filter_horizontal = ("phases",)

    def get_queryset(self, request):
        # Autocomplete names each LLME after their user, so fetch users with them.
        return super().get_queryset(request).select_related("user", "hub")

    @admin.display(ordering="user__email")
    def email(self, llme):
        return llme.user.email


@admin.register(HubMembership)
class HubMembershipAdmin(HubScopedAdmin):
    list_display = ("user", "email", "hub", "role")
    list_filter = (("hub", HubChoicesFilter), "role")
    list_select_related = ("user", "hub")
    search_fields = ("user__first_name", "user__last_name", "user__email")
    autocomplete_fields = ("user",)

    @admin.display(ordering="user__email")
    def email(self, membership):
        return membership.user.email


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        exclude = ("calendar_token",)


@admin.register(User)
class UserAdmin(RulesPermissionsMixin, DjangoUserAdmin):
    """Everyone who signs in, by email. Hub staff see only the people connected to their hubs
    (anyone else is "not found") and may correct a participant's role and phases; names,
    emails, schools, passwords and privileges are the national team's to change.
    """

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "school", "is_staff")
    list_filter = (
        "role",
        ("school__hub", HubChoicesFilter),
        "is_staff",
        "is_national_team",
        "is_active",
    )
    list_select_related = ("school",)
    search_fields = ("email", "first_name", "last_name")
    autocomplete_fields = ("school",)
    filter_horizontal = ("phases", "groups", "user_permissions")
    profile_fields = ("first_name", "last_name", "role", "school", "phases")
    # Who someone is and where they work: only the national team changes these.
    identity_fields = ("email", "first_name", "last_name", "school")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": profile_fields}),
        ("Access", {"fields": ("is_active", *PRIVILEGE_FIELDS)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        # Also what autocomplete searches, for every field that points at a person.
        return scoping.visible(super().get_queryset(request), request.user)

    def may_edit(self, request, obj=None) -> bool:
        return scoping.can_use_admin(request.user) and scoping.is_national(request.user)

    def has_change_permission(self, request, obj=None):
        if self.may_edit(request, obj):
            return True
        # Hub staff may correct a participant's profile, never a colleague's or their access.
        privileged = obj is not None and (obj.is_staff or obj.is_superuser or obj.is_national_team)
        return scoping.can_use_admin(request.user) and not privileged

    def get_fieldsets(self, request, obj=None):
        if obj is None or scoping.is_national(request.user):
            return super().get_fieldsets(request, obj)
        return (
            (None, {"fields": ("email",)}),
            ("Profile", {"fields": self.profile_fields}),
            ("Access", {"fields": ("is_active", "is_staff", "is_national_team")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if scoping.is_national(request.user):
            return ("last_login", "date_joined")
        return (
            *self.identity_fields,
            "is_active",
            "last_login",
            "date_joined",
            *PRIVILEGE_FIELDS,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"role", "school"} & set(form.changed_data):
            services.sync_leader_claim(user=obj, reopen=True)

    def user_change_password(self, request, id, form_url=""):
        if not scoping.is_national(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(SchoolLeaderClaim)
class SchoolLeaderClaimAdmin(HubScopedAdmin):
    """The queue of people who say they lead a school of the hub. Claims come from profiles
    and are decided only by the actions, which call the services; nothing here is edited."""

    list_display = ("user", "email", "school", "hub", "status", "created_at", "decided_by")
    list_filter = ("status", ("school__hub", HubChoicesFilter), "created_at")
    list_select_related = ("user", "school__hub", "decided_by")
    # Newest first has no index: sort the claims alone, then join the page's people and schools.
    paginator = SortFirstPaginator
    search_fields = ("user__email", "user__first_name", "user__last_name", "school__name")
    fields = ("user", "school", "status", "created_at", "decided_by", "decided_at", "reason")
    readonly_fields = fields
    actions = [*HubScopedAdmin.actions, "confirm_claims", "reject_claims"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The actions need "change"; a claim's own page only shows it.
        return obj is None and super().has_change_permission(request)

    @admin.display(ordering="user__email")
    def email(self, claim):
        return claim.user.email

    @admin.display(ordering="school__hub__name")
    def hub(self, claim):
        return claim.school.hub

    @admin.action(description="Confirm selected school leaders", permissions=["change"])
    def confirm_claims(self, request, queryset):
        run_service(
            self,
            request,
            queryset.select_related("user", "school__hub"),
            lambda claim: services.confirm_leader_claim(claim=claim, by=request.user),
            "{count} school leader(s) confirmed.",
        )

    @admin.action(description="Reject selected school leader claims", permissions=["change"])
    def reject_claims(self, request, queryset):
        run_service(
            self,
            request,
            queryset.select_related("user", "school__hub"),
            lambda claim: services.reject_leader_claim(claim=claim, by=request.user),
            "{count} claim(s) rejected.",
        )


@needs_attention
def leader_claims_attention(request) -> list[Attention]:
    if not scoping.can_use_admin(request.user):
        return []
    pending = scoping.visible(SchoolLeaderClaim.objects.all(), request.user).filter(
        status=ClaimStatus.PENDING
    )
    return [
        Attention(
            "School leaders to confirm",
            pending.count(),
            reverse("admin:participants_schoolleaderclaim_changelist") + "?status__exact=pending",
        )
    ]
