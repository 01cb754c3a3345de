"""Participants' surveys at the start and end of a group, to measure change.

The national team defines one survey per project and year: statements on a 1 to 5 agreement
scale, each in one of the four outcome areas, and optional free-text questions. Participants
answer it twice, at the group's start and at its end, with the same statements, so each
person's start and end answers can be paired. Answers are linked to the person for that
pairing only: leads and hub staff see averages of five or more people (``surveys.impact``).
"""

from django.db import models
from django.db.models import Q

from core.querysets import HubOwnedQuerySet
from participants.models import User
from projects.models import AcademicYear, OutcomeArea, Project
from workgroups.models import WorkGroup


class Occasion(models.TextChoices):
    START = "start", "Start"
    END = "end", "End"


class QuestionOccasion(models.TextChoices):
    START = "start", "Start only"
    END = "end", "End only"
    BOTH = "both", "Start and end"


# The agreement scale every statement is answered on.
SCALE = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]
SCALE_VALUES = frozenset(value for value, _ in SCALE)


class SurveyQuerySet(models.QuerySet):
    def live(self):
        """Surveys participants see: ticked ready, with at least one statement."""
        return self.filter(ready=True).filter(
            models.Exists(Statement.objects.filter(survey=models.OuterRef("pk")))
        )


class Survey(models.Model):
    """A project's participant survey for one academic year, asked at the start and the end."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="surveys")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    introduction = models.TextField(
        blank=True,
        max_length=2000,
        help_text="Shown to participants above the first statements: why we ask, in a sentence "
        "or two.",
    )
    ready = models.BooleanField(
        "ready for participants",
        default=False,
        help_text="Participants see the survey, and are emailed about it, only once it is ready.",
    )
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The earlier year's survey this one was copied from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["project__title", "-academic_year__starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "academic_year"],
                name="one_survey_per_project_and_year",
                violation_error_message="This project already has a survey that year.",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.academic_year})"


class Statement(models.Model):
    """One statement participants rate from 1 (strongly disagree) to 5 (strongly agree)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="statements")
    area = models.ForeignKey(
        OutcomeArea, on_delete=models.PROTECT, related_name="+", verbose_name="outcome area"
    )
    text = models.CharField(
        max_length=300,
        help_text="For example: I plan lessons with my "
        "colleagues around the small steps pupils need.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "area__order", "order", "pk"]

    def __str__(self):
        return self.text


class FreeTextQuestion(models.Model):
    """An optional question answered in the participant's own words."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    occasion = models.CharField(
        max_length=5, choices=QuestionOccasion, default=QuestionOccasion.BOTH
    )
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = "free-text question"

    def __str__(self):
        return self.text

    def asked_at(self, occasion: str) -> bool:
        return self.occasion in (QuestionOccasion.BOTH, occasion)


class ResponseQuerySet(HubOwnedQuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Response(models.Model):
    """One person's answers to a survey on one occasion, in one group.

    Saved as they go (``submitted_at`` empty) and sent once complete. Only sent responses
    count anywhere. The person is kept for pairing start with end; erasing the account
    anonymises the person and keeps the answers, so the figures stay true.
    """

    hub_path = "work_group__hub"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    occasion = models.CharField(max_length=5, choices=Occasion)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="survey_responses")
    work_group = models.ForeignKey(
        WorkGroup, on_delete=models.PROTECT, related_name="survey_responses"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "occasion", "user", "work_group"],
                name="one_response_per_person_group_and_occasion",
                violation_error_message="You have already started this survey.",
            )
        ]
        indexes = [models.Index(fields=["survey", "occasion", "submitted_at"])]

    def __str__(self):
        return f"{self.get_occasion_display()} survey of {self.work_group}"


class Answer(models.Model):
    """A rating of one statement, 1 to 5."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(choices=SCALE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"],
                name="one_answer_per_statement",
                violation_error_message="This statement is already answered.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5),
                name="answer_on_the_five_point_scale",
                violation_error_message="Choose an answer from 1 to 5.",
            ),
        ]

    def __str__(self):
        return f"{self.statement}: {self.value}"


class FreeTextAnswer(models.Model):
    """An answer in the participant's own words (blanked if they erase their account)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="free_text_answers"
    )
    question = models.ForeignKey(FreeTextQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="one_free_text_answer_per_question",
                violation_error_message="This question is already answered.",
            )
        ]

    def __str__(self):
        return f"{self.question}"


class EmailKind(models.TextChoices):
    OPENED = "opened", "Survey open"
    REMINDER = "reminder", "Reminder"


class SurveyEmail(models.Model):
    """An email about a survey sent to one participant: recorded so none goes twice."""

    hub_path = "work_group__hub"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=5, choices=Occasion)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=EmailKind)
    sent_at = models.DateTimeField()

    objects = HubOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "occasion", "user", "work_group", "kind"],
                name="each_survey_email_once",
                violation_error_message="This email has already been sent.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_occasion_display()} survey"
