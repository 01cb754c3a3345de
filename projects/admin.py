"""Admin for the national offer: projects and years (national team), and hubs' offers."""

from django.contrib import admin
from django.db.models import Count

from core.admin import HubScopedAdmin, ReferenceDataAdmin, RulesPermissionsMixin
from core.admin_tools import HistoryProtectedMixin
from projects.models import AcademicYear, Interest, Offer, OutcomeArea, ParticipantRole, Project


@admin.register(AcademicYear)
class AcademicYearAdmin(ReferenceDataAdmin):
    list_display = ("label", "starts_on", "ends_on", "is_current")
    search_fields = ("label",)

    @admin.display(boolean=True, description="current")
    def is_current(self, year):
        return year.is_current


@admin.register(OutcomeArea)
class OutcomeAreaAdmin(ReferenceDataAdmin):
    list_display = ("name", "code", "order")


class ParticipantRoleInline(RulesPermissionsMixin, admin.TabularInline):
    model = ParticipantRole
    hub_staff_may_edit = False
    extra = 0
    fields = ("name", "max_per_school", "usually_filled_by", "order")


@admin.register(Project)
class ProjectAdmin(HistoryProtectedMixin, ReferenceDataAdmin):
    """Projects and their eligibility are defined nationally; hub staff read them."""

    list_display = (
        "code",
        "title",
        "activity_type",
        "recruitment",
        "state_funded_only",
        "requires_approval",
        "oversubscription",
        "completion_attendance",
    )
    list_filter = (
        "activity_type",
        "recruitment",
        "oversubscription",
        "phases",
        "years",
        "state_funded_only",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "title",
                    "slug",
                    "summary",
                    "description",
                    "activity_type",
                    "group_name",
                    "phases",
                    "outcome_areas",
                    "years",
                )
            },
        ),
        (
            "Who may take part",
            {
                "fields": (
                    "recruitment",
                    "prerequisites",
                    "eligible_hubs",
                    "eligible_regions",
                    "eligible_local_authorities",
                    "state_funded_only",
                )
            },
        ),
        (
            "Places",
            {
                "fields": ("requires_approval", "oversubscription", "completion_attendance"),
                "description": "When a group is full, schools join its waiting list; a place "
                "that comes free goes to the first school in the order chosen here, which hub "
                "staff see on each group's waiting list.",
            },
        ),
    )
    search_fields = ("code", "title")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ParticipantRoleInline]
    filter_horizontal = (
        "phases",
        "outcome_areas",
        "prerequisites",
        "eligible_hubs",
        "eligible_regions",
        "eligible_local_authorities",
        "years",
    )

    def delete_refusal(self, project) -> str | None:
        if project.work_groups.exists():
            return (
                f"{project} has groups, so deleting it would lose their history. "
                "Take it out of next year's years instead."
            )
        return None


@admin.register(Offer)
class OfferAdmin(HubScopedAdmin):
    # Meta.ordering is dropped from GROUP BY queries, and the counts below group.
    ordering = Offer._meta.ordering
    list_display = (
        "project",
        "hub",
        "academic_year",
        "contact_name",
        "recruitment_opens",
        "recruitment_closes",
        "interest_count",
    )
    list_filter = (("hub", admin.RelatedOnlyFieldListFilter), "academic_year")
    list_select_related = ("project", "hub", "academic_year")
    search_fields = ("project__title", "project__code", "hub__name", "contact_name")
    autocomplete_fields = ("project",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("project", "hub", "academic_year")
        return queryset.annotate(interest_total=Count("interests"))

    @admin.display(description="interest", ordering="interest_total")
    def interest_count(self, offer):
        return offer.interest_total


@admin.register(Interest)
class InterestAdmin(HubScopedAdmin):
    """Who registered interest in the hub's offers; teachers add these, the hub reads them."""

    list_display = ("user", "email", "school", "offer", "note", "created_at")
    list_filter = (("offer__hub", admin.RelatedOnlyFieldListFilter), "offer__academic_year")
    list_select_related = ("user", "school", "offer__project", "offer__hub", "offer__academic_year")
    search_fields = ("user__email", "user__first_name", "user__last_name", "school__name")
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    @admin.display(ordering="user__email")
    def email(self, interest):
        return interest.user.email
