"""Emails when a survey opens, one reminder if unanswered, and never anything twice."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from core.models import OutboxMessage
from surveys import tasks
from surveys.models import EmailKind, Occasion, SurveyEmail
from surveys.notifications import send_due_emails
from tests.factories import AcademicYearFactory, ProjectFactory
from tests.surveys.helpers import TODAY, answer, group_with_sessions, make_survey, people
from workgroups.models import WorkGroupStatus

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def group():
    year, project = AcademicYearFactory(), ProjectFactory(title="Mastery Readiness")
    make_survey(project, year)
    return group_with_sessions(
        0,
        30,
        60,
        project=project,
        academic_year=year,
        name="Cedar Group",
        status=WorkGroupStatus.FULL,
    )


def sent_to(kind=None):
    rows = SurveyEmail.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("user__email", "occasion", "kind"))


def test_participants_are_told_on_the_first_session_day_and_nobody_twice(
    group, django_capture_on_commit_callbacks
):
    a, b = people(group, 2)

    assert send_due_emails(today=TODAY() - DAY) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_emails(today=TODAY()) == 2
    assert send_due_emails(today=TODAY()) == 0
    assert tasks.send_survey_emails() == 0

    assert sent_to() == sorted([(a.email, "start", "opened"), (b.email, "start", "opened")])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    message = next(m for m in mail.outbox if m.to == [a.email])
    assert message.subject == "Cedar Group: your start-of-group survey is open"
    assert f"{settings.SITE_URL.rstrip('/')}/surveys/{group.pk}/start/" in message.body
    assert "never your own answers" in message.body


def test_one_reminder_a_week_later_only_to_who_has_not_answered(
    group, django_capture_on_commit_callbacks
):
    a, b, c = people(group, 3)
    send_due_emails(today=TODAY())
    answer(a, group, Occasion.START, 4)
    answer(b, group, Occasion.START, 4, submit=False)  # started, not sent

    assert send_due_emails(today=TODAY() + 6 * DAY) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_emails(today=TODAY() + 7 * DAY) == 2
    assert send_due_emails(today=TODAY() + 20 * DAY) == 0

    assert sent_to(EmailKind.REMINDER) == sorted(
        [(b.email, "start", "reminder"), (c.email, "start", "reminder")]
    )
    assert [m.subject for m in mail.outbox] == [
        "Reminder: the start-of-group survey for Cedar Group"
    ] * 2


def test_the_end_survey_is_announced_on_the_last_session_day(
    group, django_capture_on_commit_callbacks
):
    a = people(group, 1)[0]
    send_due_emails(today=TODAY())
    answer(a, group, Occasion.START, 4)

    assert send_due_emails(today=TODAY() + 59 * DAY) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_emails(today=TODAY() + 60 * DAY) == 1

    assert sent_to() == [(a.email, "end", "opened"), (a.email, "start", "opened")]
    assert mail.outbox[-1].subject == "Cedar Group: your end-of-group survey is open"


def test_nothing_goes_about_a_survey_that_is_not_ready(group):
    people(group, 2)
    group.project.surveys.update(ready=False)

    assert send_due_emails(today=TODAY()) == 0
    assert not OutboxMessage.objects.exists()


def test_nothing_goes_to_people_who_left_or_in_a_cancelled_group(group):
    a, b = people(group, 2)
    b.registrations.update(status="withdrawn")
    other = group_with_sessions(
        -1,
        30,
        project=group.project,
        academic_year=group.academic_year,
        status=WorkGroupStatus.CANCELLED,
    )
    people(other, 2)

    send_due_emails(today=TODAY())

    assert sent_to() == [(a.email, "start", "opened")]


def test_the_beat_schedule_runs_the_task_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["send-survey-emails"]

    assert entry["task"] == "surveys.tasks.send_survey_emails"
    assert entry["task"] == tasks.send_survey_emails.name
