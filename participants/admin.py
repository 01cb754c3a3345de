"""Admin for people, schools, hubs, LLMEs and hub staff.

Schools and other reference data are read-only to hub staff (schools may choose any hub, so
they see every school); hubs, LLMEs and staff are limited to the user's own hubs.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied

from core import scoping
from core.admin import HubScopedAdmin, ReferenceDataAdmin, RulesPermissionsMixin
from participants.models import (
    LLME,
    Hub,
    HubMembership,
    LocalAuthority,
    Phase,
    Region,
    School,
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
class SchoolAdmin(ReferenceDataAdmin):
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
    list_filter = (("hub", admin.RelatedOnlyFieldListFilter), "active", "phases")
    list_select_related = ("user", "hub")
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
    list_filter = (("hub", admin.RelatedOnlyFieldListFilter), "role")
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
    """Everyone who signs in, by email. Hub staff may read users and correct a participant's
    profile; only the national team changes sign-in details, passwords and privileges.
    """

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "school", "is_staff")
    list_filter = ("role", "is_staff", "is_national_team", "is_active")
    list_select_related = ("school",)
    search_fields = ("email", "first_name", "last_name")
    autocomplete_fields = ("school",)
    filter_horizontal = ("phases", "groups", "user_permissions")
    profile_fields = ("first_name", "last_name", "role", "school", "phases")
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
        return ("email", "is_active", "last_login", "date_joined", *PRIVILEGE_FIELDS)

    def user_change_password(self, request, id, form_url=""):
        if not scoping.is_national(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
