"""A teacher's year: a reminder email brings them to their next session, they answer the task
their lead set, and once their group has closed they download their certificate."""

import datetime
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import (
    HubFactory,
    PlaceFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    SessionRecordFactory,
    TeacherFactory,
)
from tests.lead.factories import led_group, past_session
from workgroups import reminders
from workgroups.models import (
    Attendance,
    AttendanceStatus,
    Completion,
    GapTaskResponse,
    PlaceStatus,
    RecordStatus,
    WorkGroup,
    WorkGroupStatus,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery"


@pytest.fixture
def year():
    hub = HubFactory(name="Enigma Maths Hub")
    teacher = TeacherFactory(
        first_name="Cat", last_name="Teacher", school=SchoolFactory(name="Elm Primary School")
    )
    EmailAddress.objects.create(user=teacher, email=teacher.email, verified=True, primary=True)
    # This year's group: a session two days ago set a task; the next is tomorrow afternoon.
    running = led_group(hub=hub, name="Cedar Work Group")
    mine = RegistrationFactory(
        place=PlaceFactory(work_group=running, school=teacher.school), user=teacher
    )
    held = past_session(running, days_ago=2)
    SessionRecordFactory(
        session=held,
        status=RecordStatus.FINAL,
        gap_task="Try a bar model with your Year 4 class.",
    )
    tomorrow = timezone.localtime().replace(hour=15, minute=30, second=0, microsecond=0)
    tomorrow += datetime.timedelta(days=1)
    coming = SessionFactory(
        work_group=running,
        starts_at=tomorrow,
        ends_at=tomorrow + datetime.timedelta(hours=2),
        mode="face_to_face",
        venue="Oak Primary School, main hall",
    )
    # Last year's group, closed: the teacher attended both sessions and completed.
    closed = led_group(hub=hub, name="Birch Work Group")
    done = RegistrationFactory(
        place=PlaceFactory(work_group=closed, school=teacher.school, status=PlaceStatus.COMPLETED),
        user=teacher,
        completion=Completion.COMPLETED,
    )
    for days in (40, 30):
        Attendance.objects.create(
            session=past_session(closed, days_ago=days),
            registration=done,
            status=AttendanceStatus.PRESENT,
        )
    WorkGroup.objects.filter(pk=closed.pk).update(status=WorkGroupStatus.COMPLETED)
    return {"teacher": teacher, "mine": mine, "held": held, "coming": coming}


def test_a_reminder_brings_the_teacher_to_the_session_then_tasks_and_certificate(
    page, live_server, shoot, axe_check, year
):
    teacher, coming = year["teacher"], year["coming"]
    mail.outbox.clear()

    reminders.send_due()

    subjects = sorted(m.subject for m in mail.outbox if m.to == [teacher.email])
    day = f"{timezone.localtime(coming.starts_at):%A %-d %B}"
    assert subjects == [
        "Before the next session: your between-session task for Cedar Work Group",
        f"Reminder: Cedar Work Group, session {coming.number} on {day}",
    ]
    [email] = [m for m in mail.outbox if m.to == [teacher.email] and m.subject == subjects[1]]
    assert "Oak Primary School, main hall" in email.body
    link = re.search(r"https?://\S+/groups/sessions/\d+/", email.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    sign_in(page, live_server, teacher.email, PASSWORD, next_url=f"/{path}")
    expect(page.get_by_text("Oak Primary School, main hall")).to_be_visible()
    axe_check("the session the reminder named")
    shoot("teacher-year-session-from-reminder")

    page.goto(f"{live_server.url}/groups/mine/")
    expect(page.get_by_text("Try a bar model with your Year 4 class.")).to_be_visible()
    axe_check("my registrations, with a task waiting")
    shoot("teacher-year-task-waiting")

    # The task waits on the session the lead set it at.
    page.goto(f"{live_server.url}/groups/sessions/{year['held'].pk}/")
    expect(page.get_by_text("Try a bar model with your Year 4 class.")).to_be_visible()
    page.get_by_label("What you did in class").fill(
        "Used a bar model for fractions of amounts; most pupils explained their steps."
    )
    page.get_by_role("button", name="Save my notes").click()
    expect(page.get_by_role("button", name="Update my notes")).to_be_visible()
    axe_check("the task answered")
    assert GapTaskResponse.objects.filter(registration=year["mine"]).exists()

    page.goto(f"{live_server.url}/groups/mine/")
    birch = page.get_by_role("article").filter(has_text="Birch Work Group")
    expect(birch).to_contain_text("Completed")
    axe_check("my registrations, with a certificate")
    shoot("teacher-year-certificate-ready")
    with page.expect_download(timeout=120_000) as download:
        birch.get_by_role("link", name=re.compile("Certificate of participation")).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert f"/groups/sessions/{coming.pk}/" in link  # the reminder named the next session
