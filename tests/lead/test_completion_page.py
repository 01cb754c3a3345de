"""The lead's page of who completed: each person's attendance and outcome, and the override."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import HubMembershipFactory, NationalAdminFactory
from tests.lead.factories import add_schools, led_group, past_session
from workgroups import services
from workgroups.models import Attendance, Completion, PlaceStatus, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead.user)
    return client


def close(group, schools=2, people=1):
    """Add ``schools`` schools, two held sessions; the first person of each school attended
    both, the others neither; then close the year."""
    registrations = add_schools(group, schools, people=people)
    before = timezone.now() - datetime.timedelta(days=60)
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(created_at=before)
    sessions = [past_session(group, days_ago=days) for days in (30, 20)]
    Attendance.objects.bulk_create(
        Attendance(session=session, registration=r)
        for session in sessions
        for r in registrations[::people]
    )
    services.mark_completions(work_group=group)
    return registrations


def url(group):
    return reverse("lead:completion", args=[group.pk])


def override(client, group, registration, completion, reason):
    prefix = f"person-{registration.pk}"
    return client.post(
        url(group),
        {
            "registration": registration.pk,
            f"{prefix}-completion": completion,
            f"{prefix}-reason": reason,
        },
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_lists_each_persons_school_attendance_and_outcome(lead_client, group):
    done, short = close(group, schools=1, people=2)

    page = text(lead_client.get(url(group)))

    assert f"Who completed {group.name}" in page
    assert done.place.school.name in page
    row = page.split(f'id="person-{done.pk}"')[1].split("</li>")[0]
    assert done.user.get_full_name() in row
    assert "2 of 2" in row
    assert "Completed" in row
    row = page.split(f'id="person-{short.pk}"')[1].split("</li>")[0]
    assert "0 of 2" in row
    assert "Did not complete" in row
    assert f'<label class="form-label" for="id_person-{short.pk}-reason">Why' in page


def test_the_group_page_links_to_it_once_completed(lead_client, group):
    assert "See who completed" not in text(lead_client.get(reverse("lead:group", args=[group.pk])))
    close(group)

    page = text(lead_client.get(reverse("lead:group", args=[group.pk])))

    assert f'href="{url(group)}"' in page


def test_before_the_year_is_closed_the_page_says_how_to_close_it(lead_client, group):
    page = text(lead_client.get(url(group)))

    assert "The group is not completed yet" in page
    assert "<table" not in page


def test_a_lead_overrides_an_outcome_with_a_reason(lead_client, group):
    _done, short = close(group)

    response = override(lead_client, group, short, Completion.COMPLETED, "Ill; caught up.")

    assert response.status_code == 302
    assert response["Location"] == url(group)
    short.refresh_from_db()
    assert (short.completion, short.completion_note) == (Completion.COMPLETED, "Ill; caught up.")
    page = text(lead_client.get(url(group)))
    assert "outcome is now: completed" in page
    row = page.split(f'id="person-{short.pk}"')[1].split("</li>")[0]
    assert "Changed by the lead</dt>" in row
    assert "Ill; caught up." in row
    short.place.refresh_from_db()
    assert short.place.status == PlaceStatus.COMPLETED


@pytest.mark.parametrize(
    ("completion", "reason", "field", "message"),
    [
        (Completion.NOT_COMPLETED, "", "reason", "Say why you are changing what attendance said."),
        (Completion.NOT_COMPLETED, "x" * 5001, "reason", "Keep this to 5000 characters or fewer"),
        (Completion.NOT_COMPLETED, "Fine\x00", "reason", "Null characters are not allowed."),
        ("", "Fine.", "completion", "Choose completed or did not complete."),
        ("passed", "Fine.", "completion", "Select a valid choice."),
    ],
)
def test_a_bad_override_shows_the_error_by_its_field_and_changes_nothing(
    lead_client, group, completion, reason, field, message
):
    done, _short = close(group)

    response = override(lead_client, group, done, completion, reason)

    page = text(response)
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    assert f'href="#id_person-{done.pk}-{field}"' in page
    assert f'<div class="invalid-feedback d-block" id="id_person-{done.pk}-{field}-error">' in page
    assert message in page
    assert "<details open>" in page
    done.refresh_from_db()
    assert (done.completion, done.completion_note) == (Completion.COMPLETED, "")


def test_someone_in_another_group_is_not_found(lead_client, group):
    close(group)
    other = led_group()
    (stranger,) = close(other, schools=1)

    response = override(lead_client, group, stranger, Completion.NOT_COMPLETED, "Me.")

    assert response.status_code == 404
    assert lead_client.post(url(group), {"registration": "abc"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.completion == Completion.COMPLETED


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("this group's lead", 200),
        ("this hub's staff", 200),
        ("national team", 200),
        ("teacher", 404),
        ("other group's lead", 404),
        ("other hub's staff", 404),
    ],
)
def test_who_may_see_the_page(client, people, group, who, status):
    close(group)
    client.force_login(people[who])

    assert client.get(url(group)).status_code == status


def test_the_hubs_staff_may_override_from_the_page(client, hub, group):
    _done, short = close(group)
    for user in (HubMembershipFactory(hub=hub).user, NationalAdminFactory()):
        client.force_login(user)
        response = override(client, group, short, Completion.COMPLETED, "Checked the register.")
        assert response.status_code == 302
    short.refresh_from_db()
    assert short.completion == Completion.COMPLETED


def count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_a_bigger_group(lead_client, group, lead):
    close(group, schools=1, people=2)
    lead_client.get(url(group))  # warm per-process caches before counting
    small = count_queries(lead_client, url(group))

    group.refresh_from_db()
    for _ in range(8):
        (person,) = add_schools(group, 1, people=1)
        Registration.objects.filter(pk=person.pk).update(completion=Completion.NOT_COMPLETED)
        person.place.status = PlaceStatus.NOT_COMPLETED
        person.place.save(update_fields=["status"])
    large = count_queries(lead_client, url(group))

    assert (
        text(lead_client.get(url(group))).count('<li class="border rounded p-2 mb-2" id="person-')
        == 10
    )
    assert small == large
