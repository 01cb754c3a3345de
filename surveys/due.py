"""A participant's surveys: which are open for them now, coming later, or done (two queries)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from participants.models import User
from surveys import rules, schedule
from surveys.models import Occasion, Response, Survey
from surveys.services import ready_survey_id
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
    """Each group the user takes part in whose project has a ready survey, start and end."""
    if not (user.is_authenticated and user.is_active):
        return []
    today = today or timezone.localdate()
    mine = rules.participations(user).filter(work_group=OuterRef("pk"))
    titles = Survey.objects.filter(pk=OuterRef("survey_id")).values("title")[:1]
    groups = list(
        schedule.with_session_days(WorkGroup.objects.filter(Exists(mine)))
        .annotate(survey_id=ready_survey_id())
        .annotate(survey_title=Subquery(titles))
        .filter(survey_id__isnull=False)
        .select_related("project", "hub")
        .order_by("name", "pk")
    )
    if not groups:
        return []
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
