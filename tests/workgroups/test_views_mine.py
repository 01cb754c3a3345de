import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import ClaimStatus
from tests.factories import PlaceFactory, RegistrationFactory, SessionFactory, school_leader
from tests.projects.helpers import group, teacher
from workgroups import services
from workgroups.models import PlaceStatus, Registration, RegistrationStatus
from workgroups.views.mine import with_waitlist_position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_cached_from_other_tests():
    """The pages cache what they show (core.cache); each test starts from an empty cache."""
    cache.clear()


MINE = reverse("workgroups:my_registrations")


def withdraw_url(registration):
    return reverse("workgroups:withdraw", args=[registration.pk])


def test_my_registrations_shows_place_status_position_and_next_session(client):
    user = teacher()
    confirmed = services.register(user=user, work_group=group(name="Alpha", sessions=2))
    full = group(name="Beta", capacity=1)
    PlaceFactory(work_group=full)
    PlaceFactory(work_group=full, status=PlaceStatus.WAITLISTED)
    services.register(user=user, work_group=full)
    client.force_login(user)

    response = client.get(MINE)

    html = response.content.decode()
    assert "Alpha" in html
    assert "Beta" in html
    assert "position 2 on the waiting list" in html
    next_session = confirmed.work_group.sessions.order_by("starts_at").first()
    assert timezone.localtime(next_session.starts_at).strftime("%-d %B %Y, %H:%M") in html
    assert reverse("workgroups:session", args=[next_session.pk]) in html


def test_waiting_list_positions_follow_the_order_schools_asked():
    work_group = group(capacity=0)
    first = services.register(user=teacher(), work_group=work_group)
    second = services.register(user=teacher(), work_group=work_group)

    positions = dict(
        with_waitlist_position(Registration.objects.all()).values_list("pk", "waitlist_position")
    )
    assert positions == {first.pk: 1, second.pk: 2}


def test_nobody_sees_anyone_elses_registrations(client):
    theirs = RegistrationFactory(place__work_group=group(name="Their group"))
    client.force_login(teacher())

    assert "Their group" not in client.get(MINE).content.decode()
    assert client.get(withdraw_url(theirs)).status_code == 404
    assert client.post(withdraw_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.ACTIVE


def test_my_registrations_needs_sign_in(client):
    assert "/accounts/login/" in client.get(MINE)["Location"]


def test_withdraw_asks_first_then_withdraws_and_promotes_the_waiting_list(client):
    work_group = group(capacity=1)
    mine = RegistrationFactory(place__work_group=work_group)
    waiting = PlaceFactory(work_group=work_group, status=PlaceStatus.WAITLISTED)
    client.force_login(mine.user)

    question = client.get(withdraw_url(mine))
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.ACTIVE
    assert "Are you sure" in question.content.decode()

    response = client.post(withdraw_url(mine), follow=True)

    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == RegistrationStatus.WITHDRAWN
    assert waiting.status == PlaceStatus.CONFIRMED
    assert "You have withdrawn from" in response.content.decode()


def test_withdrawing_twice_says_so_without_an_error(client):
    mine = RegistrationFactory(place__work_group=group())
    client.force_login(mine.user)
    client.post(withdraw_url(mine))

    response = client.post(withdraw_url(mine), follow=True)

    assert response.status_code == 200
    assert "You had already withdrawn" in response.content.decode()


def test_place_page_shows_roles_filled_and_missing_to_its_participants(client):
    mine = RegistrationFactory(place__work_group=group(), user__first_name="Grace")
    client.force_login(mine.user)

    response = client.get(reverse("workgroups:place", args=[mine.place_id]))

    assert response.status_code == 200
    row = response.context["roster"][0]
    assert row.people == [mine.user]
    assert row.missing == 1


def test_place_page_is_not_found_for_other_schools_and_former_participants(client):
    place = RegistrationFactory(place__work_group=group()).place
    outsider = teacher()
    other_leader = school_leader()
    unconfirmed_leader = school_leader(school=place.school, status=ClaimStatus.PENDING)
    former = RegistrationFactory(place=place, status=RegistrationStatus.WITHDRAWN).user
    url = reverse("workgroups:place", args=[place.pk])

    for user in (outsider, other_leader, unconfirmed_leader, former):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_confirmed_school_leader_sees_the_schools_place(client):
    place = RegistrationFactory(place__work_group=group()).place
    client.force_login(school_leader(school=place.school))

    response = client.get(reverse("workgroups:place", args=[place.pk]))

    assert response.status_code == 200
    assert "Name colleague</button>" in response.content.decode()


def build_registrations(user, size):
    for number in range(size):
        work_group = group(capacity=1 if number % 2 else 5)
        SessionFactory(
            work_group=work_group,
            number=1,
            starts_at=timezone.now() + datetime.timedelta(days=number + 1),
            ends_at=timezone.now() + datetime.timedelta(days=number + 1, hours=2),
        )
        if number % 2:
            PlaceFactory(work_group=work_group)
        services.register(user=user, work_group=work_group)


def count(client):
    """Queries with nothing cached, then with what the page caches cached."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MINE).status_code == 200
        counts.append(len(queries))
    return counts


def test_my_registrations_queries_do_not_grow_with_the_number_of_registrations(client):
    user = teacher()
    client.force_login(user)
    build_registrations(user, 3)
    small = count(client)
    build_registrations(user, 27)

    assert count(client) == small
