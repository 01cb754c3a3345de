"""A participant's surveys: which are open for them now, coming later, or done."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from participants.models import User
from surveys import rules, schedule
from surveys.models import Occasion, Response, Survey
from workgroups.models import WorkGroup


class Progress:
    NOT_STARTED = "not_started"
    STARTED = "started"
    SENT = "sent"


@dataclass(frozen=True)
class SurveyItem:
    group: WorkGroup
    title: str
    occasion: str
    window: schedule.Window
    progress: str

    @property
    def is_due(self) -> bool:
        return self.window.is_open and self.progress != Progress.SENT

    @property
    def occasion_label(self) -> str:
        return Occasion(self.occasion).label

    @property
    def url(self) -> str:
        return reverse("surveys:answer", kwargs={"group": self.group.pk, "occasion": self.occasion})


def surveys_for(user: User, today: datetime.date | None = None) -> list[SurveyItem]:
    """Each group the user takes part in whose project has a ready survey, start and end.

    Small questions one after another (most people's groups have no survey, and then the
    second is the last) rather than one query joining everything, which costs more to build
    than to run."""
    if not (user.is_authenticated and user.is_active):
        return []
    today = today or timezone.localdate()
    mine = set(
        rules.participations(user).values_list(
            "work_group_id", "work_group__project_id", "work_group__academic_year_id"
        )
    )
    if not mine:
        return []
    surveys: dict[tuple[int, int], Survey] = {}
    for survey in (
        Survey.objects.live()
        .filter(project_id__in={project for _group, project, _year in mine})
        .only("pk", "title", "project_id", "academic_year_id")
        .order_by("pk")
    ):
        surveys.setdefault((survey.project_id, survey.academic_year_id), survey)
    group_ids = [group for group, project, year in mine if (project, year) in surveys]
    if not group_ids:
        return []
    groups = list(
        schedule.with_session_days(WorkGroup.objects.filter(pk__in=group_ids))
        .select_related("project", "hub")
        .order_by("name", "pk")
    )
    for group in groups:
        survey = surveys[(group.project_id, group.academic_year_id)]
        group.survey_id, group.survey_title = survey.pk, survey.title
    progress = {
        (row["work_group_id"], row["occasion"]): (
            Progress.SENT if row["submitted_at"] else Progress.STARTED
        )
        for row in Response.objects.filter(
            user=user, survey_id__in={group.survey_id for group in groups}
        ).values("work_group_id", "occasion", "submitted_at")
    }
    items = [
        SurveyItem(
            group=group,
            title=group.survey_title,
            occasion=occasion,
            window=schedule.window(group, occasion, today),
            progress=progress.get((group.pk, occasion), Progress.NOT_STARTED),
        )
        for group in groups
        for occasion in Occasion.values
    ]
    return sorted(items, key=lambda item: not item.is_due)


def due_count(user: User) -> int:
    return sum(item.is_due for item in surveys_for(user))
