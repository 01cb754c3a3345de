"""Hub staff see only the people connected to their hub, in the user admin, its search and every
autocomplete that looks people up; they never change who someone is or where they work."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from participants.models import User
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    RegistrationFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
)

pytestmark = pytest.mark.django_db

USERS = reverse("admin:participants_user_changelist")


def change_url(user):
    return reverse("admin:participants_user_change", args=[user.pk])


@pytest.fixture
def world():
    ours, theirs = HubFactory(name="Ash Maths Hub"), HubFactory(name="Beech Maths Hub")
    elsewhere = SchoolFactory(hub=theirs, name="Birch Primary")
    manager = HubMembershipFactory(hub=ours).user
    people = {
        "teacher at a school of the hub": TeacherFactory(school__hub=ours, last_name="Alder"),
        # Schools may choose any hub: a participant of our group from another hub's school.
        "participant of the hub's group": RegistrationFactory(
            place__work_group=WorkGroupFactory(hub=ours), place__school=elsewhere
        ).user,
        "former participant": RegistrationFactory(
            place__work_group=WorkGroupFactory(hub=ours),
            place__school=elsewhere,
            status="withdrawn",
        ).user,
        "LLME of the hub": LLMEFactory(hub=ours, user__school=elsewhere).user,
        "colleague on the hub's staff": HubMembershipFactory(hub=ours).user,
        "the manager": manager,
    }
    strangers = {
        "teacher of another hub": TeacherFactory(school=elsewhere, last_name="Birchwood"),
        "participant of another hub's group": RegistrationFactory(
            place__work_group=WorkGroupFactory(hub=theirs), place__school=elsewhere
        ).user,
        "LLME of another hub": LLMEFactory(hub=theirs).user,
        "another hub's staff": HubMembershipFactory(hub=theirs).user,
        "teacher without a school": TeacherFactory(school=None),
    }
    return {
        "ours": ours,
        "theirs": theirs,
        "elsewhere": elsewhere,
        "manager": manager,
        "connected": people,
        "strangers": strangers,
        "stranger": strangers["teacher of another hub"],
        "teacher": people["teacher at a school of the hub"],
    }


def pks(users):
    return {user.pk for user in users}


def test_connected_to_hubs_is_one_query_for_exactly_the_hubs_people(
    world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = set(User.objects.connected_to_hubs([world["ours"].pk]).values_list("pk", flat=True))

    assert found == pks(world["connected"].values())
    assert User.objects.connected_to_hubs([]).count() == 0


def test_hub_manager_lists_only_the_people_connected_to_their_hub(client, world):
    client.force_login(world["manager"])

    response = client.get(USERS)

    assert pks(response.context["cl"].result_list) == pks(world["connected"].values())
    assert "Birchwood" not in response.content.decode()


@pytest.mark.parametrize("who", ["teacher of another hub", "LLME of another hub"])
def test_searching_finds_nobody_outside_the_hub(client, world, who):
    client.force_login(world["manager"])
    stranger = world["strangers"][who]

    response = client.get(USERS, {"q": stranger.email})

    assert list(response.context["cl"].result_list) == []


def test_national_team_lists_and_finds_everyone(client, world):
    client.force_login(NationalAdminFactory())

    listed = client.get(USERS)
    found = client.get(USERS, {"q": world["stranger"].email})

    everyone = pks([*world["connected"].values(), *world["strangers"].values()])
    assert everyone <= pks(listed.context["cl"].result_list)
    assert list(found.context["cl"].result_list) == [world["stranger"]]


# Every admin field that looks a person up asks the user admin, so all are scoped the same.
PERSON_FIELDS = [
    ("participants", "llme", "user"),
    ("participants", "hubmembership", "user"),
    ("workgroups", "registration", "user"),
    ("workgroups", "sessionrecord", "author"),
]


def autocomplete(client, source, term=""):
    app_label, model_name, field_name = source
    params = {
        "app_label": app_label,
        "model_name": model_name,
        "field_name": field_name,
        "term": term,
    }
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


@pytest.mark.parametrize("source", PERSON_FIELDS, ids=".".join)
def test_person_autocomplete_offers_only_connected_people_to_hub_staff(client, world, source):
    client.force_login(world["manager"])

    assert autocomplete(client, source) == pks(world["connected"].values())
    assert autocomplete(client, source, world["stranger"].email) == set()
    assert autocomplete(client, source, "Birchwood") == set()


@pytest.mark.parametrize("source", PERSON_FIELDS, ids=".".join)
def test_person_autocomplete_offers_everyone_to_the_national_team(client, world, source):
    client.force_login(NationalAdminFactory())

    assert autocomplete(client, source, world["stranger"].email) == {world["stranger"].pk}


def test_school_autocomplete_offers_every_school_as_schools_may_choose_any_hub(client, world):
    client.force_login(world["manager"])

    found = autocomplete(client, ("participants", "user", "school"), "Birch Primary")

    assert found == {world["elsewhere"].pk}


def test_llme_autocomplete_offers_only_the_hubs_llmes(client, world):
    client.force_login(world["manager"])

    found = autocomplete(client, ("workgroups", "workgroup", "leads"))

    assert found == {world["connected"]["LLME of the hub"].llme_roles.get().pk}


def test_naming_another_hubs_person_in_a_form_is_refused(client, world):
    client.force_login(world["manager"])

    response = client.post(
        reverse("admin:participants_llme_add"),
        {"user": world["stranger"].pk, "hub": world["ours"].pk},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not world["stranger"].llme_roles.exists()


@pytest.mark.parametrize("who", ["teacher of another hub", "another hub's staff"])
def test_another_hubs_person_does_not_exist_for_a_hub_manager(client, world, who):
    client.force_login(world["manager"])
    stranger = world["strangers"][who]
    name = stranger.first_name

    response = client.get(change_url(stranger))
    posted = client.post(change_url(stranger), {"first_name": "Mallory", "role": "teacher"})

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    [message] = get_messages(response.wsgi_request)
    assert "doesn\u2019t exist" in message.message
    assert posted.status_code == 302
    stranger.refresh_from_db()
    assert stranger.first_name == name


def test_hub_manager_cannot_change_name_email_or_school(client, world):
    client.force_login(world["manager"])
    teacher = world["teacher"]
    before = (teacher.first_name, teacher.last_name, teacher.email, teacher.school_id)

    page = client.get(change_url(teacher)).content.decode()
    response = client.post(
        change_url(teacher),
        {
            "email": "mallory@example.org",
            "first_name": "Mallory",
            "last_name": "Renamed",
            "school": world["elsewhere"].pk,
            "role": "teaching_assistant",
        },
    )

    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.first_name, teacher.last_name, teacher.email, teacher.school_id) == before
    assert teacher.role == "teaching_assistant"  # their role they may correct
    for field in ("email", "first_name", "last_name", "school"):
        assert f'name="{field}"' not in page


def test_national_team_changes_name_email_and_school(client, world):
    client.force_login(NationalAdminFactory())
    teacher = world["teacher"]

    response = client.post(
        change_url(teacher),
        {
            "email": "renamed@example.org",
            "first_name": "Renamed",
            "last_name": teacher.last_name,
            "role": "teacher",
            "school": world["elsewhere"].pk,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    teacher.refresh_from_db()
    assert (teacher.first_name, teacher.email, teacher.school) == (
        "Renamed",
        "renamed@example.org",
        world["elsewhere"],
    )
