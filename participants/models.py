"""Who takes part: people, the schools they belong to, hubs, LLMEs and hub staff."""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core import scoping
from core.fields import CheckedJSONField
from core.querysets import HubOwnedQuerySet


class Phase(models.Model):
    """A phase of education (Early Years, Primary, Secondary, Post-16); reference data."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=40)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class Region(models.Model):
    """One of England's nine regions, as GIAS codes them (``GOR``)."""

    code = models.CharField(max_length=2, unique=True, help_text="GIAS GOR code, e.g. 'A'.")
    name = models.CharField(max_length=60, unique=True)
    ons_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Hub(models.Model):
    """A Maths Hub: a partnership led by a lead school, covering an area of schools."""

    hub_path = "pk"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="hubs")
    area = models.CharField(max_length=300, blank=True, help_text="The area the hub serves.")
    lead_school = models.CharField(max_length=300, blank=True)
    contact_email = models.EmailField(blank=True)

    objects = HubOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocalAuthority(models.Model):
    """A local authority; its hub is the one whose area it is in (boundaries are soft)."""

    code = models.CharField(max_length=10, blank=True)
    name = models.CharField(max_length=120, unique=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="local_authorities"
    )
    hub = models.ForeignKey(
        Hub, null=True, blank=True, on_delete=models.SET_NULL, related_name="local_authorities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name


class SchoolPhase(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE_PRIMARY = "middle_primary", "Middle deemed primary"
    SECONDARY = "secondary", "Secondary"
    MIDDLE_SECONDARY = "middle_secondary", "Middle deemed secondary"
    SIXTEEN_PLUS = "16_plus", "16 plus"
    ALL_THROUGH = "all_through", "All-through"


# The phases of education (``Phase.code``) a school of each GIAS phase teaches: a primary
# school has its reception classes (early years), a secondary school often a sixth form, an
# all-through school every phase, a middle school both sides of the age of eleven. A school whose
# phase GIAS does not give ("not applicable") is taken to teach any.
PHASES_TAUGHT = {
    SchoolPhase.NURSERY: {"early_years"},
    SchoolPhase.PRIMARY: {"early_years", "primary"},
    SchoolPhase.MIDDLE_PRIMARY: {"primary", "secondary"},
    SchoolPhase.SECONDARY: {"secondary", "post_16"},
    SchoolPhase.MIDDLE_SECONDARY: {"primary", "secondary"},
    SchoolPhase.SIXTEEN_PLUS: {"post_16"},
    SchoolPhase.ALL_THROUGH: {"early_years", "primary", "secondary", "post_16"},
}


class SchoolStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    PROPOSED_TO_CLOSE = "proposed_to_close", "Open, but proposed to close"
    PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"


# The largest URN the column holds.
MAX_URN = 2**31 - 1


def validate_urn_list(value) -> None:
    """Predecessor URNs are a list of URNs (``lineage_urns`` follows them)."""
    if not isinstance(value, list) or not all(
        type(urn) is int and 0 < urn <= MAX_URN for urn in value
    ):
        raise ValidationError(
            "Give the URNs as a list of numbers, like [100001, 100002], or leave it empty.",
            code="invalid_urns",
        )


class SchoolQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=[SchoolStatus.CLOSED, SchoolStatus.PROPOSED_TO_OPEN])

    def for_hub(self, hub):
        return self.filter(hub=hub)


class School(models.Model):
    """A school, college or setting, identified by its DfE URN; imported from GIAS."""

    urn = models.PositiveIntegerField("URN", unique=True)
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=SchoolPhase, default=SchoolPhase.PRIMARY)
    type_group = models.CharField(
        "establishment type group", max_length=100, blank=True, help_text="As GIAS names it."
    )
    establishment_type = models.CharField(max_length=100, blank=True)
    is_state_funded = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=SchoolStatus, default=SchoolStatus.OPEN)
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    fsm_percentage = models.DecimalField(
        "pupils eligible for free school meals (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
    )
    number_of_pupils = models.PositiveIntegerField(null=True, blank=True)
    # Where the school is, in metres on the British National Grid, as GIAS gives it: the
    # catalogue sorts face-to-face groups by straight-line distance from a teacher's school.
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    predecessor_urns = CheckedJSONField(
        default=list,
        blank=True,
        validators=[validate_urn_list],
        help_text="URNs this school replaced (e.g. on academy conversion); history follows them.",
    )
    hub = models.ForeignKey(
        Hub, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["postcode"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fsm_percentage__isnull=True)
                | Q(fsm_percentage__gte=0, fsm_percentage__lte=100),
                name="school_fsm_percentage_range",
                violation_error_message="The free school meals percentage must be 0 to 100.",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    def teaches_any(self, phase_codes) -> bool:
        """Whether the school teaches any of these phases (``Phase.code``)."""
        taught = PHASES_TAUGHT.get(self.phase)
        return taught is None or bool(taught & set(phase_codes))

    @property
    def is_open(self):
        return self.status not in (SchoolStatus.CLOSED, SchoolStatus.PROPOSED_TO_OPEN)

    def lineage_urns(self, max_depth: int = 10) -> set[int]:
        """This school's URN and every predecessor's, so history follows academy conversions."""
        urns = {self.urn}
        frontier = {int(urn) for urn in self.predecessor_urns} - urns
        for _ in range(max_depth):
            if not frontier:
                break
            urns |= frontier
            rows = School.objects.filter(urn__in=frontier).values_list(
                "predecessor_urns", flat=True
            )
            frontier = {int(urn) for row in rows for urn in row} - urns
        return urns


class UserRole(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
    PRACTITIONER = "practitioner", "Practitioner"
    SCHOOL_LEADER = "school_leader", "School leader"


class UserQuerySet(models.QuerySet):
    def connected_to_hubs(self, hub_ids):
        """People a hub's staff may see: its groups' participants (past ones too), its LLMEs
        and staff, and the people whose school is in its area. Decided in the database."""
        hub_ids = list(hub_ids)
        if not hub_ids:
            return self.none()
        # Registrations belong to a higher layer: reach them by the relation's name only.
        registration = self.model._meta.get_field("registrations").related_model
        return self.filter(
            Q(school__hub_id__in=hub_ids)
            | Exists(LLME.objects.filter(user=OuterRef("pk"), hub_id__in=hub_ids))
            | Exists(HubMembership.objects.filter(user=OuterRef("pk"), hub_id__in=hub_ids))
            | Exists(
                registration.objects.filter(
                    user=OuterRef("pk"), place__work_group__hub_id__in=hub_ids
                )
            )
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_national_team=True)
        return self._create_user(email, password, **extra)


def new_calendar_token():
    return secrets.token_urlsafe(24)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: teachers and other participants, LLMEs, hub staff, national team."""

    email = models.EmailField("email address", unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=20, choices=UserRole, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    phases = models.ManyToManyField(
        Phase, blank=True, related_name="+", verbose_name="phases taught"
    )
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Can sign in to the admin site."
    )
    is_active = models.BooleanField(default=True)
    is_national_team = models.BooleanField(
        default=False, help_text="Sees and manages every hub's data and the national reports."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    reminder_emails = models.BooleanField(
        "email me reminders",
        default=True,
        help_text="Reminders of sessions, tasks waiting and records to write. Emails about your "
        "places, your account and cancelled groups are always sent.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def has_profile(self):
        return bool(self.first_name and self.last_name and self.role and self.school_id)


class LLMEQuerySet(HubOwnedQuerySet):
    def active(self):
        return self.filter(active=True)


class LLME(models.Model):
    """A Local Leader of Mathematics Education working with a hub; usually leads Work Groups."""

    hub_path = "hub"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="llme_roles")
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="llmes")
    phases = models.ManyToManyField(Phase, blank=True, related_name="+")
    specialisms = models.CharField(max_length=300, blank=True)
    accredited_on = models.DateField("accreditation date", null=True, blank=True)
    active = models.BooleanField(default=True)

    objects = LLMEQuerySet.as_manager()

    class Meta:
        verbose_name = "LLME"
        verbose_name_plural = "LLMEs"
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "hub"],
                name="llme_once_per_hub",
                violation_error_message="This person is already an LLME of this hub.",
            )
        ]

    def __str__(self):
        return str(self.user)


class HubRole(models.TextChoices):
    HUB_LEAD = "hub_lead", "Hub lead"
    HUB_MANAGER = "hub_manager", "Hub manager"
    ADMINISTRATOR = "administrator", "Administrator"


class HubMembership(models.Model):
    """A member of a hub's staff; limits them to their own hub everywhere, the admin included."""

    hub_path = "hub"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="hub_memberships")
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=HubRole, default=HubRole.HUB_MANAGER)

    class Meta:
        ordering = ["hub__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "hub"],
                name="membership_once_per_hub",
                violation_error_message="This person is already on this hub's staff.",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.hub}"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Not confirmed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A person has at most one claim in these states: the one their profile makes now.
OPEN_CLAIM_STATUSES = [ClaimStatus.PENDING, ClaimStatus.CONFIRMED]


class SchoolLeaderClaimQuerySet(HubOwnedQuerySet):
    def pending(self):
        return self.filter(status=ClaimStatus.PENDING)

    def confirmed(self):
        return self.filter(status=ClaimStatus.CONFIRMED)

    def open(self):
        return self.filter(status__in=OPEN_CLAIM_STATUSES)


class SchoolLeaderClaim(models.Model):
    """Someone's claim to lead their school, and who decided it.

    Choosing the school-leader role in a profile makes a pending claim; it gives no power over
    the school (naming colleagues, seeing its places) until the school's hub or a confirmed
    leader of the school confirms it. Changing school or role withdraws it; rows are never
    deleted, so the decisions stay on record.
    """

    hub_path = "school__hub"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="leader_claims")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="leader_claims")
    status = models.CharField(
        max_length=20, choices=ClaimStatus, default=ClaimStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader_claims_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why it was not confirmed, or why it ended."
    )

    objects = SchoolLeaderClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=OPEN_CLAIM_STATUSES),
                name="one_open_leader_claim_per_person",
                violation_error_message="This person already has an open school leader claim.",
            )
        ]

    def __str__(self):
        return f"{self.user} leads {self.school.name} ({self.get_status_display().lower()})"

    @property
    def confirmer(self) -> str:
        """Who the claim waits for, in words: the school's hub (the national team if none)."""
        return self.school.hub.name if self.school.hub_id else "the national team"

    @property
    def decider(self) -> str:
        """Who decided it, in words: the hub for its staff, else the colleague's name."""
        by = self.decided_by
        if by is None or scoping.can_manage_hub(by, self.school.hub_id):
            return self.confirmer
        return str(by)
