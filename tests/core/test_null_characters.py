"""A null character in an address or a query string is refused before it reaches a query;
in a form, the field it was typed into says so."""

import pytest
from django.urls import reverse

from tests.factories import HubMembershipFactory, TeacherFactory, WorkGroupFactory
from workgroups.models import WorkGroup

pytestmark = pytest.mark.django_db


def _templates(response) -> list[str]:
    return [template.name for template in response.templates]


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/projects/", {"q": "bar\x00models"}),
        ("/projects/", {"hub": "\x00"}),
        ("/me/schools/", {"q": "\x00"}),
        ("/me/schools/", {"selected\x00": "1"}),
        ("/reports/", {"year": "\x00"}),
    ],
)
def test_a_null_character_in_a_query_string_gets_the_bad_request_page(client, url, query):
    client.force_login(TeacherFactory())

    response = client.get(url, query)

    assert response.status_code == 400
    assert "400.html" in _templates(response)


def test_a_null_character_in_an_admin_filter_or_search_changes_nothing(client):
    manager = HubMembershipFactory()
    group = WorkGroupFactory(hub=manager.hub)
    client.force_login(manager.user)
    changelist = reverse("admin:workgroups_workgroup_changelist")

    for query in ({"status__exact": "\x00"}, {"q": "\x00"}, {"o": "1\x00"}):
        response = client.get(changelist, query)
        assert response.status_code == 400, query
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "workgroups",
            "model_name": "session",
            "field_name": "work_group",
            "term": "\x00",
        },
    )

    assert autocomplete.status_code == 400
    assert list(WorkGroup.objects.values_list("pk", "status")) == [(group.pk, group.status)]


def test_a_null_character_in_the_path_gets_the_bad_request_page(client):
    client.force_login(TeacherFactory())

    response = client.get("/groups/calendar/abc%00def/sessions.ics")

    assert response.status_code == 400


def test_an_address_without_one_is_answered_as_usual(client):
    client.force_login(TeacherFactory())

    assert client.get("/projects/", {"q": "bar models"}).status_code == 200


def test_a_null_character_typed_into_a_form_is_refused_next_to_the_field(client):
    teacher = TeacherFactory(first_name="Ada")
    client.force_login(teacher)

    response = client.post(
        reverse("participants:profile"),
        {"first_name": "Ad\x00a", "last_name": "Byron", "role": "teacher", "school": ""},
    )

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.first_name == "Ada"


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "anything"])
def test_a_null_character_in_a_cookie_gets_the_bad_request_page(client, cookie):
    client.cookies[cookie] = "abc\x00def"

    response = client.get("/")

    assert response.status_code == 400
    assert "400.html" in _templates(response)
