"""What is offered: academic years, national projects, their participant roles and hub offers."""

import datetime

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.querysets import HubOwnedQuerySet
from participants.models import Hub, LocalAuthority, Phase, Region, School, User
from projects.activity_types import ActivityRules, ActivityType, rules_for


class AcademicYearQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None):
        """The year whose dates include today, else the next one to start, else the latest."""
        today = today or timezone.localdate()
        return (
            self.filter(starts_on__lte=today, ends_on__gte=today).first()
            or self.filter(starts_on__gt=today).order_by("starts_on").first()
            or self.order_by("-starts_on").first()
        )


class AcademicYear(models.Model):
    """A school year, September to July, labelled like ``2026/27``."""

    label = models.CharField(max_length=7, unique=True, help_text="For example 2026/27.")
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = AcademicYearQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="academic_year_ends_after_start",
                violation_error_message="An academic year must end after it starts.",
            )
        ]

    def __str__(self):
        return self.label

    @classmethod
    def label_for(cls, start_year: int) -> str:
        return f"{start_year}/{(start_year + 1) % 100:02d}"

    @property
    def is_current(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.ends_on


class OutcomeArea(models.Model):
    """One of the four outcome areas every Work Group works towards and evaluates."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class Recruitment(models.TextChoices):
    OPEN = "open", "Open to all eligible schools"
    PRIOR_PARTICIPATION = "prior_participation", "Needs previous participation"
    NEW_SCHOOLS_ONLY = "new_schools_only", "Only for schools that have not taken part before"
    INVITATION_ONLY = "invitation_only", "By invitation only"


class Oversubscription(models.TextChoices):
    """How a full group's waiting list is ordered, and so who gets a place that comes free."""

    FIRST_COME = "first_come", "First come, first served"
    DISADVANTAGE_FIRST = (
        "disadvantage_first",
        "Schools with more disadvantaged pupils first (free school meals %)",
    )


class ProjectQuerySet(models.QuerySet):
    def running_in(self, academic_year):
        return self.filter(years=academic_year)


class Project(models.Model):
    """A national project, of one of the four activity types, run locally by hubs as groups."""

    code = models.CharField(max_length=20, unique=True, help_text="For example NCP26-07.")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    activity_type = models.CharField(
        max_length=20, choices=ActivityType, default=ActivityType.WORK_GROUP
    )
    phases = models.ManyToManyField(Phase, blank=True, related_name="projects")
    outcome_areas = models.ManyToManyField(OutcomeArea, blank=True, related_name="projects")
    recruitment = models.CharField(max_length=20, choices=Recruitment, default=Recruitment.OPEN)
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="follow_ons",
        help_text="With 'needs previous participation': the school must have completed one.",
    )
    eligible_hubs = models.ManyToManyField(
        Hub, blank=True, related_name="+", help_text="Leave empty for every hub."
    )
    eligible_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", help_text="Leave empty for all of England."
    )
    eligible_local_authorities = models.ManyToManyField(
        LocalAuthority, blank=True, related_name="+", help_text="Leave empty for every area."
    )
    state_funded_only = models.BooleanField(default=True)
    requires_approval = models.BooleanField(
        "hub approval needed", default=False, help_text="New places wait for the hub to confirm."
    )
    oversubscription = models.CharField(
        "when a group is full",
        max_length=20,
        choices=Oversubscription,
        default=Oversubscription.FIRST_COME,
        help_text="The order in which a full group's waiting list is offered places.",
    )
    group_name = models.CharField(
        "what a group is called",
        max_length=60,
        blank=True,
        help_text="Leave empty for the activity type's name; for example 'Teacher Research Group'.",
    )
    completion_attendance = models.PositiveSmallIntegerField(
        "attendance for completion (%)",
        default=75,
        validators=[MaxValueValidator(100)],
        help_text="Share of sessions a school must attend for its participation to count.",
    )
    years = models.ManyToManyField(AcademicYear, blank=True, related_name="projects")

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_attendance__lte=100),
                name="project_completion_attendance_max_100",
                violation_error_message="Attendance for completion is a percentage, 0 to 100.",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.code})"

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    @property
    def rules(self) -> ActivityRules:
        """How this project's activity type works: see ``projects.activity_types``."""
        return rules_for(self.activity_type)

    @property
    def group_noun(self) -> str:
        """What one of its groups is called: its own name for them, or its type's."""
        return self.group_name or self.rules.group_noun

    @property
    def needs_approval(self) -> bool:
        """Whether the hub decides on each new place."""
        return self.requires_approval or self.rules.always_needs_approval


class RoleHolder(models.TextChoices):
    """Who usually fills a role: the registration form suggests it to them first."""

    ANYONE = "anyone", "Anyone"
    SCHOOL_LEADER = "school_leader", "A school leader"
    TEACHER = "teacher", "A teacher"


class ParticipantRole(models.Model):
    """A role a school sends people to fill (e.g. 'Lead participant', up to 2 per school)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    max_per_school = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)
    usually_filled_by = models.CharField(
        max_length=20,
        choices=RoleHolder,
        default=RoleHolder.ANYONE,
        help_text="The registration form suggests this role first to these people.",
    )

    class Meta:
        ordering = ["project", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="role_name_unique_per_project",
                violation_error_message="This project already has a role with that name.",
            ),
            models.CheckConstraint(
                condition=Q(max_per_school__gte=1),
                name="role_max_per_school_at_least_one",
                violation_error_message="A role needs at least one person per school.",
            ),
        ]

    def __str__(self):
        return f"{self.name} (up to {self.max_per_school})"


class Offer(models.Model):
    """A hub running a project in a year, with its local contact and recruitment window."""

    hub_path = "hub"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="offers")
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="offers")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    recruitment_opens = models.DateField(null=True, blank=True)
    recruitment_closes = models.DateField(null=True, blank=True)

    objects = HubOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["project__title", "hub__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "hub", "academic_year"],
                name="offer_once_per_hub_and_year",
                violation_error_message="This hub already offers this project that year.",
            ),
            models.CheckConstraint(
                condition=Q(recruitment_closes__isnull=True)
                | Q(recruitment_opens__isnull=True)
                | Q(recruitment_closes__gte=F("recruitment_opens")),
                name="offer_recruitment_closes_after_opening",
                violation_error_message="Recruitment cannot close before it opens.",
            ),
        ]

    def __str__(self):
        return f"{self.project.title} — {self.hub} ({self.academic_year})"


class Interest(models.Model):
    """A teacher's interest in a hub's offer when no group suits them yet."""

    hub_path = "offer__hub"

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="interests")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HubOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "user"],
                name="interest_once_per_offer",
                violation_error_message="You have already registered interest in this.",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.offer}"
