"""Joining links and the lead's plans for a session reach its participants only: anyone else
sees dates and places, on the group's page, its feed and (not at all) the session's page."""

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from tests.factories import RegistrationFactory, SessionFactory
from tests.projects.helpers import teacher
from workgroups.models import DeliveryMode, PlaceStatus

pytestmark = pytest.mark.django_db

LINK = "https://meet.example/secret-room"
PLANS = "Private planning notes"


@pytest.fixture
def online_session():
    registration = RegistrationFactory(place__status=PlaceStatus.CONFIRMED)
    session = SessionFactory(
        work_group=registration.work_group,
        mode=DeliveryMode.ONLINE,
        joining_link=LINK,
        planned=PLANS,
    )
    return session, registration.user


def test_participant_sees_the_joining_link_and_plans_on_the_sessions_page(client, online_session):
    session, participant = online_session
    client.force_login(participant)

    html = client.get(reverse("workgroups:session", args=[session.pk])).content.decode()

    assert LINK in html
    assert PLANS in html


def test_someone_else_finds_no_session_page_and_no_link_on_the_groups_page(client, online_session):
    session, _ = online_session
    client.force_login(teacher())

    session_page = client.get(reverse("workgroups:session", args=[session.pk]))
    group_page = client.get(reverse("workgroups:detail", args=[session.work_group_id]))

    assert session_page.status_code == 404
    assert group_page.status_code == 200
    assert LINK not in group_page.content.decode()
    assert PLANS not in group_page.content.decode()


def test_signed_out_visitor_sees_dates_without_the_link(client, online_session):
    session, _ = online_session

    group_page = client.get(reverse("workgroups:detail", args=[session.work_group_id]))
    session_page = client.get(reverse("workgroups:session", args=[session.pk]))

    assert date_format(localtime(session.starts_at), "j F Y, H:i") in group_page.content.decode()
    assert LINK not in group_page.content.decode()
    assert session_page.status_code == 302
