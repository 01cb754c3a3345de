import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import RegistrationFactory, SessionFactory, SessionRecordFactory
from tests.projects.helpers import group, teacher
from workgroups import services
from workgroups.models import GapTaskResponse, PlaceStatus, RegistrationStatus

pytestmark = pytest.mark.django_db


def at(days):
    return timezone.now() + datetime.timedelta(days=days)


def session_with_task(next_in_days=7, **record):
    work_group = group()
    session = SessionFactory(work_group=work_group, number=1, starts_at=at(-7), ends_at=at(-6.9))
    SessionFactory(
        work_group=work_group, number=2, starts_at=at(next_in_days), ends_at=at(next_in_days + 0.1)
    )
    record = SessionRecordFactory(session=session, **record)
    registration = RegistrationFactory(place__work_group=work_group)
    return record, registration


def session_url(record):
    return reverse("workgroups:session", args=[record.session_id])


def test_teacher_records_and_then_edits_their_one_response():
    record, registration = session_with_task()

    services.save_gap_task_response(
        registration=registration, session_record=record, what_i_did="Taught it", reflection=""
    )
    services.save_gap_task_response(
        registration=registration, session_record=record, what_i_did="Taught it twice"
    )

    response = GapTaskResponse.objects.get()
    assert response.what_i_did == "Taught it twice"


def test_response_cannot_change_once_the_next_session_has_started():
    record, registration = session_with_task(next_in_days=-1)

    with pytest.raises(services.GapTaskError, match="next session has started"):
        services.save_gap_task_response(
            registration=registration, session_record=record, what_i_did="Late"
        )
    assert not GapTaskResponse.objects.exists()


def test_a_cancelled_next_session_does_not_close_the_task():
    record, registration = session_with_task(next_in_days=-1)
    record.session.work_group.sessions.filter(number=2).update(cancelled=True)

    services.save_gap_task_response(
        registration=registration, session_record=record, what_i_did="Done"
    )

    assert GapTaskResponse.objects.count() == 1


def test_only_active_participants_with_a_taken_place_may_respond():
    record, _ = session_with_task()
    outsider = RegistrationFactory(place__work_group=group())
    waiting = RegistrationFactory(
        place__work_group=record.session.work_group, place__status=PlaceStatus.WAITLISTED
    )

    for someone in (outsider, waiting):
        with pytest.raises(services.GapTaskError, match="Only the group's participants"):
            services.save_gap_task_response(
                registration=someone, session_record=record, what_i_did="x"
            )


def test_record_without_a_task_takes_no_response():
    record, registration = session_with_task(gap_task="")

    with pytest.raises(services.GapTaskError, match="No task was set"):
        services.save_gap_task_response(
            registration=registration, session_record=record, what_i_did="x"
        )


def test_session_page_shows_the_task_and_saves_the_response(client):
    record, registration = session_with_task()
    client.force_login(registration.user)

    page = client.get(session_url(record))
    response = client.post(
        session_url(record),
        {"what_i_did": "<script>alert(1)</script> Used bar models", "reflection": "Went well"},
        follow=True,
    )

    assert record.gap_task in page.content.decode()
    html = response.content.decode()
    assert "your notes are saved" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Used bar models" in html
    assert GapTaskResponse.objects.get().reflection == "Went well"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"what_i_did": "", "reflection": ""}, "This field is required"),
        ({"what_i_did": "x" * 5001, "reflection": ""}, "at most 5000 characters"),
        ({"what_i_did": "ok", "reflection": "y" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_responses_are_refused_next_to_the_fields(client, data, message):
    record, registration = session_with_task()
    client.force_login(registration.user)

    response = client.post(session_url(record), data)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert not GapTaskResponse.objects.exists()


def test_closed_task_shows_the_saved_response_read_only(client):
    record, registration = session_with_task()
    services.save_gap_task_response(
        registration=registration, session_record=record, what_i_did="Used bar models"
    )
    record.session.work_group.sessions.filter(number=2).update(starts_at=at(-1), ends_at=at(-0.9))
    client.force_login(registration.user)

    response = client.get(session_url(record))

    assert "Used bar models" in response.content.decode()
    assert "can no longer be changed" in response.content.decode()
    assert "form" not in response.context


def test_session_page_is_not_found_for_anyone_but_active_participants(client):
    record, registration = session_with_task()
    withdrawn = RegistrationFactory(
        place=registration.place, status=RegistrationStatus.WITHDRAWN
    ).user
    waitlisted = RegistrationFactory(
        place__work_group=record.session.work_group, place__status=PlaceStatus.WAITLISTED
    ).user

    for user in (teacher(), withdrawn, waitlisted):
        client.force_login(user)
        assert client.get(session_url(record)).status_code == 404
        assert client.post(session_url(record), {"what_i_did": "x"}).status_code == 404
    assert not GapTaskResponse.objects.exists()


def test_session_without_a_record_says_no_task_yet(client):
    registration = RegistrationFactory(place__work_group=group())
    session = SessionFactory(work_group=registration.work_group)
    client.force_login(registration.user)

    response = client.get(reverse("workgroups:session", args=[session.pk]))

    assert "has not set a task" in response.content.decode()
