import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import PlaceFactory, RegistrationFactory, SessionFactory
from tests.projects.helpers import group, teacher
from workgroups.calendar import escape_text, fold, render_calendar, reset_calendar_token
from workgroups.models import DeliveryMode, PlaceStatus, RegistrationStatus

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(hours=1))


def feed_url(user):
    return reverse("workgroups:calendar_feed", args=[user.calendar_token])


def unfold(body: str) -> str:
    return body.replace("\r\n ", "")


def test_text_is_escaped_as_rfc_5545_asks():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)

    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert unfold(folded) == line


def test_group_download_is_an_ics_attachment_with_crlf_lines_utc_times_and_uids(client):
    work_group = group(name="Fractions; Year 5, Leeds", venue="Civic Hall")
    session = SessionFactory(
        work_group=work_group,
        number=1,
        starts_at=datetime.datetime(2030, 6, 3, 16, 0, tzinfo=LONDON),
        ends_at=datetime.datetime(2030, 6, 3, 17, 30, tzinfo=LONDON),
        planned="Plan a lesson\non fractions",
        venue="",  # a session with no venue of its own meets at the group's
    )
    SessionFactory(work_group=work_group, number=2, cancelled=True)

    response = client.get(reverse("workgroups:group_calendar", args=[work_group.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    text = unfold(body)
    assert f"UID:session-{session.pk}@" in text
    assert "DTSTART:20300603T150000Z" in text
    assert "DTEND:20300603T163000Z" in text
    assert "SUMMARY:Fractions\\; Year 5\\, Leeds: session 1" in text
    assert "Plan a lesson" not in text, "the lead's plans are for participants only"
    assert "LOCATION:Civic Hall" in text
    assert text.count("BEGIN:VEVENT") == 2
    assert text.count("STATUS:CANCELLED") == 1


def test_private_calendar_gives_an_online_sessions_joining_link_and_plans():
    session = SessionFactory(
        mode=DeliveryMode.ONLINE, joining_link="https://meet.example/abc", planned="Bring a ruler"
    )

    text = unfold(render_calendar([session], "x", private=True))

    assert "LOCATION:https://meet.example/abc" in text
    assert "URL:https://meet.example/abc" in text
    assert "Bring a ruler" in text


def test_anyones_group_feed_has_dates_and_places_but_no_joining_link_or_plans(client):
    online = SessionFactory(
        mode=DeliveryMode.ONLINE,
        joining_link="https://meet.example/secret-room",
        planned="Private planning notes",
    )
    SessionFactory(
        work_group=online.work_group,
        mode=DeliveryMode.BLENDED,
        venue="Civic Hall",
        joining_link="https://meet.example/other-room",
    )

    response = client.get(reverse("workgroups:group_calendar", args=[online.work_group_id]))

    text = unfold(response.content.decode())
    assert response.status_code == 200
    assert text.count("BEGIN:VEVENT") == 2
    assert "DTSTART:" in text
    assert "LOCATION:Online" in text
    assert "LOCATION:Civic Hall" in text
    assert "meet.example" not in text
    assert "URL:" not in text
    assert "Private planning notes" not in text


def test_participants_own_feed_has_the_joining_link_and_plans(client):
    registration = RegistrationFactory()
    SessionFactory(
        work_group=registration.work_group,
        mode=DeliveryMode.ONLINE,
        joining_link="https://meet.example/secret-room",
        planned="Private planning notes",
    )

    text = unfold(client.get(feed_url(registration.user)).content.decode())

    assert "LOCATION:https://meet.example/secret-room" in text
    assert "URL:https://meet.example/secret-room" in text
    assert "Private planning notes" in text


def test_personal_feed_has_sessions_of_confirmed_places_and_active_registrations_only(client):
    user = teacher()
    confirmed = RegistrationFactory(user=user, place__school=user.school)
    waiting = RegistrationFactory(
        user=user, place__school=user.school, place__status=PlaceStatus.WAITLISTED
    )
    left = RegistrationFactory(
        user=user, place__school=user.school, status=RegistrationStatus.WITHDRAWN
    )
    wanted = SessionFactory(work_group=confirmed.work_group)
    unwanted = [
        SessionFactory(work_group=waiting.work_group),
        SessionFactory(work_group=left.work_group),
        SessionFactory(work_group=PlaceFactory().work_group),
    ]

    text = unfold(client.get(feed_url(user)).content.decode())

    assert f"UID:session-{wanted.pk}@" in text
    for session in unwanted:
        assert f"UID:session-{session.pk}@" not in text
    assert len(re.findall("BEGIN:VEVENT", text)) == 1


def test_unknown_token_is_not_found(client):
    assert client.get(reverse("workgroups:calendar_feed", args=["guess"])).status_code == 404


def test_resetting_the_token_stops_the_old_address_working(client):
    user = teacher()
    old_url = feed_url(user)
    client.force_login(user)

    response = client.post(reverse("workgroups:calendar_reset"), follow=True)

    user.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(user)).status_code == 200
    assert feed_url(user) in response.content.decode()


def test_reset_token_service_makes_a_new_long_token():
    user = teacher()
    old = user.calendar_token

    new = reset_calendar_token(user=user)

    assert new != old
    assert len(new) >= 32


def test_reset_is_post_only_and_needs_sign_in(client):
    url = reverse("workgroups:calendar_reset")

    assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(teacher())
    assert client.get(url).status_code == 405
