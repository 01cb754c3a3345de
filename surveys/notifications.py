"""Emails telling participants a survey is open, and one reminder if they have not answered.

``send_due_emails`` runs once a day (Celery beat, ``surveys.tasks.send_survey_emails``). Each
email is recorded (``SurveyEmail``) in the same transaction as its outbox row, under a unique
constraint, so however often or concurrently it runs nobody gets the same email twice.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.email import absolute_url, send_templated
from surveys import rules, schedule
from surveys.models import EmailKind, Occasion, Response, SurveyEmail
from surveys.services import ready_survey_id
from workgroups.models import WorkGroup

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One email to send: who, about which group's survey, and which kind."""

    registration: object
    group: WorkGroup
    survey_id: int
    window: schedule.Window
    kind: str


def open_windows(today: datetime.date) -> list[tuple[WorkGroup, schedule.Window]]:
    """Every group with a ready survey whose start or end survey is open today (one query)."""
    groups = (
        schedule.with_session_days(WorkGroup.objects.all())
        .exclude(status__in=schedule.NEVER_OPEN)
        .annotate(survey_id=ready_survey_id())
        .filter(survey_id__isnull=False)
        .select_related("project")
    )
    found = []
    for group in groups:
        for occasion in Occasion.values:
            window = schedule.window(group, occasion, today)
            if window.is_open:
                found.append((group, window))
    return found


def due_emails(today: datetime.date) -> list[Due]:
    """Who should hear about an open survey today (four queries)."""
    windows = open_windows(today)
    if not windows:
        return []
    by_group = {group.pk: group for group, _ in windows}
    registrations = (
        rules.active_participants(list(by_group))
        .filter(user__is_active=True)
        .select_related("user")
    )
    people: dict[int, list] = {}
    for registration in registrations:
        people.setdefault(registration.work_group_id, []).append(registration)
    survey_ids = {group.survey_id for group in by_group.values()}
    sent_answers = set(
        Response.objects.submitted()
        .filter(survey_id__in=survey_ids, work_group_id__in=list(by_group))
        .values_list("work_group_id", "occasion", "user_id")
    )
    emailed = {
        (row.work_group_id, row.occasion, row.user_id, row.kind): row.sent_at
        for row in SurveyEmail.objects.filter(
            survey_id__in=survey_ids, work_group_id__in=list(by_group)
        )
    }
    remind_if_opened_by = today - datetime.timedelta(days=schedule.REMINDER_AFTER_DAYS)
    due = []
    for group, window in windows:
        for registration in people.get(group.pk, []):
            key = (group.pk, window.occasion, registration.user_id)
            if key in sent_answers:
                continue
            opened_at = emailed.get((*key, EmailKind.OPENED))
            if opened_at is None:
                kind = EmailKind.OPENED
            elif (
                timezone.localdate(opened_at) <= remind_if_opened_by
                and (*key, EmailKind.REMINDER) not in emailed
            ):
                kind = EmailKind.REMINDER
            else:
                continue
            due.append(Due(registration, group, group.survey_id, window, kind))
    return due


def send_due_emails(*, today: datetime.date | None = None) -> int:
    """Send today's "survey open" emails and reminders; returns how many went to the outbox."""
    today = today or timezone.localdate()
    return sum(_send(due) for due in due_emails(today))


def _send(due: Due) -> bool:
    """Record and queue one email together; ``False`` if it had been sent already."""
    user = due.registration.user
    try:
        with transaction.atomic():
            SurveyEmail.objects.create(
                survey_id=due.survey_id,
                occasion=due.window.occasion,
                user=user,
                work_group=due.group,
                kind=due.kind,
                sent_at=timezone.now(),
            )
            send_templated(f"survey_{due.kind}", [user.email], _context(due))
    except IntegrityError:  # another run sent it a moment ago
        return False
    return True


def _context(due: Due) -> dict:
    occasion = due.window.occasion
    path = reverse("surveys:answer", kwargs={"group": due.group.pk, "occasion": occasion})
    return {
        "person": due.registration.user,
        "group": due.group,
        "occasion": occasion,
        "is_start": occasion == Occasion.START,
        "closes_on": due.window.closes_on,
        "survey_url": absolute_url(path),
        "mine_url": absolute_url(reverse("surveys:mine")),
    }
