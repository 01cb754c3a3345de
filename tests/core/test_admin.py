"""The admin's shared pieces meet ids no row could have ("x", "²") with a message, not a failure:
autocomplete fields, actions on ticked rows, and object addresses."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    SessionFactory,
    WorkGroupFactory,
)
from workgroups.models import Session, WorkGroup

pytestmark = pytest.mark.django_db

NOT_AN_ID = ["x", "²", "1²", "٣", "\x00", "99999999999999999999"]


@pytest.fixture
def manager():
    return HubMembershipFactory()


@pytest.fixture
def group(manager):
    return WorkGroupFactory(hub=manager.hub, name="Cedar Work Group")


def _session_add_data(work_group, **overrides):
    day = (timezone.localdate() + datetime.timedelta(days=9)).strftime("%d/%m/%Y")
    return {
        "work_group": work_group,
        "starts_at_0": day,
        "starts_at_1": "16:00",
        "ends_at_0": day,
        "ends_at_1": "17:00",
        "mode": "online",
        "focus": "plan",
        "venue": "",
        "joining_link": "https://meet.example.org/cedar",
        **overrides,
    }


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_an_autocomplete_choice_that_is_no_id_is_refused_next_to_the_field(
    client, manager, group, value
):
    client.force_login(manager.user)

    response = client.post(reverse("admin:workgroups_session_add"), _session_add_data(value))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["work_group"] == [
        "Null characters are not allowed."
        if value == "\x00"
        else "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Session.objects.exists()


# Not a huge number here: SQLite (development only) cannot even compare one with a column.
@pytest.mark.parametrize("value", NOT_AN_ID[:-1])
def test_a_many_choice_autocomplete_with_no_id_is_refused_and_changes_nothing(
    client, manager, group, value
):
    lead = LLMEFactory(hub=manager.hub)
    group.leads.add(lead)
    client.force_login(manager.user)
    url = reverse("admin:workgroups_workgroup_change", args=[group.pk])

    response = client.post(url, {"name": "Renamed", "leads": [lead.pk, value]})

    assert response.status_code == 200
    assert "leads" in response.context["adminform"].form.errors
    group.refresh_from_db()
    assert group.name == "Cedar Work Group"
    assert list(group.leads.all()) == [lead]


def test_a_session_at_the_time_of_another_is_refused_in_the_admin(client, manager, group):
    client.force_login(manager.user)
    url = reverse("admin:workgroups_session_add")
    client.post(url, _session_add_data(group.pk))

    response = client.post(url, _session_add_data(group.pk, ends_at_1="18:00"))

    assert response.status_code == 200
    assert "Session 1 already starts at this time." in response.content.decode()
    assert Session.objects.count() == 1


def test_a_past_or_overlapping_session_is_added_in_the_admin_only_once_confirmed(
    client, manager, group
):
    client.force_login(manager.user)
    url = reverse("admin:workgroups_session_add")
    day = (timezone.localdate() - datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    past = _session_add_data(group.pk, starts_at_0=day, ends_at_0=day)

    asked = client.post(url, past)

    assert asked.status_code == 200
    assert asked.context["adminform"].form.errors["confirm"][0].startswith("It is in the past")
    assert not Session.objects.exists()
    assert client.post(url, {**past, "confirm": "on"}).status_code == 302
    assert Session.objects.count() == 1


def test_a_session_outside_the_groups_year_or_without_a_venue_is_refused_in_the_admin(
    client, manager, group
):
    client.force_login(manager.user)
    url = reverse("admin:workgroups_session_add")

    far = client.post(
        url, _session_add_data(group.pk, starts_at_0="01/01/2099", ends_at_0="01/01/2099")
    )
    nowhere = client.post(url, _session_add_data(group.pk, mode="face_to_face", joining_link=""))

    assert "fall in that school year" in far.content.decode()
    assert nowhere.context["adminform"].form.errors["venue"] == ["Say where the session is held."]
    assert not Session.objects.exists()


@pytest.mark.parametrize("value", ["x", "²", "1²", "\x00", "1.5"])
def test_an_action_on_rows_that_are_no_ids_changes_nothing_and_says_so(
    client, manager, group, value
):
    session = SessionFactory(work_group=group)
    client.force_login(manager.user)
    changelist = reverse("admin:workgroups_session_changelist")

    response = client.post(
        changelist,
        {"action": "cancel_sessions", ACTION_CHECKBOX_NAME: [session.pk, value], "index": "0"},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Some of the selected items are not in this list. Tick items in the list and try "
        "again. No items have been changed."
    ]
    session.refresh_from_db()
    assert not session.cancelled


@pytest.mark.parametrize("value", ["x", "²", "-1", "1.5"])
def test_an_object_address_that_is_no_id_is_not_found(client, group, value):
    client.force_login(NationalAdminFactory())

    change = client.get(f"/admin/workgroups/workgroup/{value}/change/")
    places = client.get(f"/admin/workgroups/workgroup/{value}/places/")

    assert change.status_code == 302
    assert places.status_code == 404
    assert WorkGroup.objects.get().name == "Cedar Work Group"


@pytest.mark.parametrize("page", ["x", "²", "-1", "0"])
def test_an_autocomplete_page_that_is_no_number_is_not_found(client, manager, group, page):
    client.force_login(manager.user)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "workgroups",
            "model_name": "session",
            "field_name": "work_group",
            "term": "Cedar",
            "page": page,
        },
    )

    assert response.status_code == 404


@pytest.mark.parametrize("term", ["x", "²", "12²", "99999999999999999999"])
def test_any_autocomplete_search_gives_a_normal_answer(client, manager, group, term):
    client.force_login(manager.user)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "participants", "model_name": "user", "field_name": "school", "term": term},
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "drill_down",
    [
        {"timestamp__year": "99999999999999999999"},
        {"timestamp__year": "9999"},
        {"timestamp__year": "9999", "timestamp__month": "12"},
        {"timestamp__year": "2026", "timestamp__month": "2", "timestamp__day": "30"},
    ],
)
def test_a_date_drill_down_past_the_calendar_says_the_filters_are_invalid(
    client, group, drill_down
):
    """The audit trail's list keeps Django's date bar; no date can break it."""
    client.force_login(NationalAdminFactory())
    changelist = reverse("admin:auditlog_logentry_changelist")

    response = client.get(changelist, drill_down)

    assert response.status_code == 302
    assert response["Location"] == f"{changelist}?e=1"


@pytest.mark.parametrize("resource_type", [" ", "x", "²"])
def test_a_library_filter_given_no_id_says_the_filters_are_invalid(client, resource_type):
    """auditlog's "resource type" filter hands its value straight to a query."""
    client.force_login(NationalAdminFactory())
    changelist = reverse("admin:auditlog_logentry_changelist")

    response = client.get(changelist, {"resource_type": resource_type})

    assert response.status_code == 302
    assert response["Location"] == f"{changelist}?e=1"
