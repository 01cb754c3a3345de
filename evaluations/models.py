"""What changed: each group's evaluation, and the national reports collated from them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import scoping
from core.querysets import HubOwnedQuerySet
from participants.models import Hub, User
from projects.models import AcademicYear, OutcomeArea, Project
from workgroups.models import WorkGroup


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    SIGNED_OFF = "signed_off", "Signed off"


class ImpactRating(models.IntegerChoices):
    NONE = 1, "No impact yet"
    SOME = 2, "Some impact"
    CLEAR = 3, "Clear impact"
    STRONG = 4, "Strong, embedded impact"


IMPACT_DESCRIPTORS = {
    ImpactRating.NONE: "No change seen yet, or too early to tell.",
    ImpactRating.SOME: "Change seen in some classrooms or for some participants.",
    ImpactRating.CLEAR: "Change seen across most participants, backed by evidence.",
    ImpactRating.STRONG: "Change embedded in practice or policy and sustained.",
}


class WorkGroupEvaluation(models.Model):
    """A group's end-of-year evaluation of its outcomes; draft → submitted → signed off."""

    hub_path = "work_group__hub"

    work_group = models.OneToOneField(
        WorkGroup, on_delete=models.CASCADE, related_name="evaluation"
    )
    key_findings = models.TextField(blank=True)
    recommendations = models.TextField("recommendations for the national project", blank=True)
    status = models.CharField(
        max_length=20, choices=EvaluationStatus, default=EvaluationStatus.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HubOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "Work Group evaluation"

    def __str__(self):
        return f"Evaluation of {self.work_group}"


class OutcomeEvaluation(models.Model):
    """An evaluation's impact rating and evidence for one outcome area."""

    hub_path = "evaluation__work_group__hub"

    evaluation = models.ForeignKey(
        WorkGroupEvaluation, on_delete=models.CASCADE, related_name="outcomes"
    )
    area = models.ForeignKey(OutcomeArea, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=ImpactRating, null=True, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["evaluation", "area__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "area"],
                name="one_rating_per_outcome_area",
                violation_error_message="This outcome area is already rated.",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=4),
                name="outcome_rating_on_scale",
                violation_error_message="Choose a rating on the scale.",
            ),
        ]

    def __str__(self):
        return f"{self.area}: {self.get_rating_display() or 'not rated'}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class NationalReportQuerySet(HubOwnedQuerySet):
    def visible_to(self, user):
        """The national team reads every report; hub staff read their own hubs' reports and
        the national ones (shown to them without other hubs' details); others read none."""
        if scoping.is_national(user):
            return self
        hub_ids = scoping.staff_hub_ids(user)
        if not hub_ids:
            return self.none()
        return self.filter(Q(hub__isnull=True) | Q(hub__in=hub_ids))

    def versions(self):
        """Real versions: without the builds that found their scope's figures unchanged."""
        return self.filter(same_as__isnull=True)


class NationalReport(models.Model):
    """The collated findings of a project's groups in a year, nationally or for one hub.

    A build whose figures have the same fingerprint as its scope's current version is not a
    version of its own: it is kept (``same_as`` the current one) only so whoever asked for it
    can see the outcome, and the scope's next request deletes it.
    """

    hub_path = "hub"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    hub = models.ForeignKey(
        Hub,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        help_text="Empty for the national report.",
    )
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=ReportStatus, default=ReportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    error = models.TextField(blank=True)
    figures = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(
        default=False,
        db_index=True,
        help_text="The newest finished version for its project, year and scope.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now,
        help_text="The build's last sign of life: queued, started, progress or requeued.",
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the figures: equal figures, equal print."
    )
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When a later build last found the same figures."
    )
    same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Set on a build that found the figures unchanged: the version it matched.",
    )

    objects = NationalReportQuerySet.as_manager()

    class Meta:
        ordering = ["project__title", "-academic_year__starts_on", "-version"]
        # The national scope has hub NULL, which a plain unique constraint treats as distinct
        # on PostgreSQL; each rule is therefore written once per scope.
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="report_progress_max_100",
                violation_error_message="Progress is a percentage.",
            ),
            models.UniqueConstraint(
                fields=["project", "academic_year"],
                condition=Q(is_current=True, hub__isnull=True),
                name="one_current_national_report",
                violation_error_message="There is already a current national report.",
            ),
            models.UniqueConstraint(
                fields=["project", "academic_year", "hub"],
                condition=Q(is_current=True, hub__isnull=False),
                name="one_current_hub_report",
                violation_error_message="There is already a current report for this hub.",
            ),
            models.UniqueConstraint(
                fields=["project", "academic_year", "version"],
                condition=Q(hub__isnull=True),
                name="national_report_version_unique",
                violation_error_message="This version of the national report already exists.",
            ),
            models.UniqueConstraint(
                fields=["project", "academic_year", "hub", "version"],
                condition=Q(hub__isnull=False),
                name="hub_report_version_unique",
                violation_error_message="This version of the hub report already exists.",
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="done"),
                name="current_report_is_done",
                violation_error_message="Only a finished report can be the current one.",
            ),
        ]

    def __str__(self):
        scope = self.hub.name if self.hub_id else "national"
        return f"{self.project.title} {self.academic_year} ({scope}) v{self.version}"


class ReportEdition(models.TextChoices):
    FULL = "full", "Full report"
    NATIONAL_FIGURES = "national_figures", "National figures, without hubs' details"


class DocumentStatus(models.TextChoices):
    BUILDING = "building", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportDocument(models.Model):
    """A report version's PDF, built by a task after collation and kept with the version.

    A national report has two editions: the full one for the national team and one with the
    national figures only, for hub staff. A hub's report has the full edition.
    """

    hub_path = "report__hub"

    report = models.ForeignKey(NationalReport, on_delete=models.CASCADE, related_name="documents")
    edition = models.CharField(max_length=20, choices=ReportEdition, default=ReportEdition.FULL)
    status = models.CharField(
        max_length=10, choices=DocumentStatus, default=DocumentStatus.BUILDING
    )
    pdf = models.BinaryField(blank=True, default=b"", editable=False)
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    pages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "edition"],
                name="one_document_per_report_edition",
                violation_error_message="This version already has this edition.",
            ),
        ]

    def __str__(self):
        return f"{self.report} ({self.get_edition_display()})"
