"""The profile's "Email me reminders" choice: shown, saved, and obeyed by the reminder emails."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import UserRole
from tests.factories import (
    AcademicYearFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    WorkGroupFactory,
    phase,
)
from workgroups import reminders
from workgroups.models import WorkGroupStatus

pytestmark = pytest.mark.django_db

PROFILE_URL = "/me/profile/"
NOW = timezone.make_aware(datetime.datetime(2027, 1, 13, 12))


@pytest.fixture
def teacher():
    """A participant of a group whose next session is tomorrow."""
    group = WorkGroupFactory(
        status=WorkGroupStatus.RUNNING, academic_year=AcademicYearFactory(start_year=2026)
    )
    starts = NOW + datetime.timedelta(days=1)
    SessionFactory(work_group=group, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
    return RegistrationFactory(
        place__work_group=group, place__school=SchoolFactory(), user__first_name="Ada"
    ).user


def _profile_data(user, **overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": UserRole.TEACHER,
        "phases": [phase("primary").pk],
        "school_query": "",
        "school": user.school_id,
    }
    return data | overrides


def _send_reminders(capture):
    with capture(execute=True):
        return reminders.send_due(now=NOW)


def test_the_profile_offers_reminders_ticked_with_a_label_and_help(client, teacher):
    client.force_login(teacher)

    page = client.get(PROFILE_URL).content.decode()

    assert '<label for="id_reminder_emails"' in page
    assert "Email me reminders" in page
    assert 'name="reminder_emails"' in page
    assert 'id="id_reminder_emails" checked' in page
    assert "Emails about your places, your account and cancelled groups are always sent." in page
    assert 'aria-describedby="id_reminder_emails_helptext"' in page


def test_unticking_reminders_saves_it_and_the_reminders_stop(
    client, teacher, django_capture_on_commit_callbacks
):
    client.force_login(teacher)

    response = client.post(PROFILE_URL, _profile_data(teacher), follow=True)  # box unticked

    assert "Your profile is saved." in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.reminder_emails is False
    assert 'id="id_reminder_emails" checked' not in client.get(PROFILE_URL).content.decode()
    assert _send_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_ticking_reminders_again_brings_them_back(
    client, teacher, django_capture_on_commit_callbacks
):
    teacher.reminder_emails = False
    teacher.save()
    client.force_login(teacher)

    client.post(PROFILE_URL, _profile_data(teacher, reminder_emails="on"))

    teacher.refresh_from_db()
    assert teacher.reminder_emails is True
    assert _send_reminders(django_capture_on_commit_callbacks) == 1
    assert [message.to for message in mail.outbox] == [[teacher.email]]


def test_a_refused_profile_changes_no_reminder_choice(client, teacher):
    client.force_login(teacher)

    response = client.post(PROFILE_URL, _profile_data(teacher, first_name=""))

    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter your first name." in page
    teacher.refresh_from_db()
    assert teacher.reminder_emails is True
    assert teacher.first_name == "Ada"


@pytest.mark.parametrize(("ticked", "shown"), [({"reminder_emails": "on"}, True), ({}, False)])
def test_searching_for_a_school_without_javascript_keeps_the_reminder_choice(
    client, teacher, ticked, shown
):
    client.force_login(teacher)

    response = client.post(
        PROFILE_URL, _profile_data(teacher, school_query="school", find_school="1", **ticked)
    )

    page = response.content.decode()
    assert 'name="reminder_emails"' in page
    assert ('id="id_reminder_emails" checked' in page) is shown
    teacher.refresh_from_db()
    assert teacher.reminder_emails is True
