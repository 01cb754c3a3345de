"""A teacher's page says which between-session tasks are waiting for their notes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SessionFactory, SessionRecordFactory
from tests.lead.factories import add_schools, led_group, past_session
from workgroups.models import GapTaskResponse, RegistrationStatus
from workgroups.services.gap_tasks import tasks_waiting

pytestmark = pytest.mark.django_db


def task_at(group, days_ago, text):
    session = past_session(group, days_ago=days_ago)
    return SessionRecordFactory(session=session, gap_task=text)


def test_only_open_unanswered_tasks_of_their_own_groups_are_waiting():
    group = led_group(name="Cedar Work Group")
    me, colleague = add_schools(group, 2, people=1)
    task_at(group, 20, "A task whose next session has started.")
    waiting = task_at(group, 3, "Try a bar model with your class.")
    SessionFactory(work_group=group)  # the next session, a fortnight away
    GapTaskResponse.objects.create(
        registration=me, session_record=waiting, what_i_did="Did it.", reflection=""
    )
    elsewhere = led_group()
    task_at(elsewhere, 3, "Another group's task.")

    assert tasks_waiting(me.user) == []
    [only] = tasks_waiting(colleague.user)
    assert only.pk == waiting.pk
    assert only.deadline > timezone.now()

    colleague.status = RegistrationStatus.WITHDRAWN
    colleague.save(update_fields=["status"])
    assert tasks_waiting(colleague.user) == []


def test_my_registrations_links_to_each_task_waiting(client):
    group = led_group(name="Cedar Work Group")
    (me,) = add_schools(group, 1, people=1)
    waiting = task_at(group, 3, "Try a bar model with your class.")
    client.force_login(me.user)

    page = client.get(reverse("workgroups:my_registrations")).content.decode()

    assert "A task is waiting for your notes" in page
    link = reverse("workgroups:session", args=[waiting.session_id])
    assert f'href="{link}">Cedar Work Group, session {waiting.session.number}</a>' in page
    assert "Try a bar model with your class." in page

    GapTaskResponse.objects.create(
        registration=me, session_record=waiting, what_i_did="Did it.", reflection=""
    )
    assert (
        "waiting for your notes"
        not in client.get(reverse("workgroups:my_registrations")).content.decode()
    )


def test_a_task_closes_once_the_next_session_starts():
    group = led_group()
    (me,) = add_schools(group, 1, people=1)
    task_at(group, 10, "Plan a lesson.")
    later = timezone.now() + datetime.timedelta(hours=1)
    SessionFactory(work_group=group, starts_at=later, ends_at=later + datetime.timedelta(hours=1))

    assert len(tasks_waiting(me.user)) == 1
    assert tasks_waiting(me.user, now=later + datetime.timedelta(minutes=1)) == []
