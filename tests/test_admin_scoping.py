"""Hub staff see and change only their own hub's data in the admin; the national team sees all."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from evaluations.models import NationalReport
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    OfferFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    TeacherFactory,
    UserFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
)
from workgroups.models import WorkGroup

pytestmark = pytest.mark.django_db


def hub_world(hub, tag):
    """One hub's data, every name carrying ``tag`` so a page shows whose rows it lists."""
    group = WorkGroupFactory(hub=hub, name=f"{tag} Group")
    place = PlaceFactory(work_group=group, school__name=f"{tag} Primary")
    return {
        "hub": hub,
        "group": group,
        "place": place,
        "registration": RegistrationFactory(place=place),
        "session": SessionFactory(work_group=group),
        "llme": LLMEFactory(hub=hub, user__last_name=f"{tag}lead"),
        "offer": OfferFactory(hub=hub),
        "evaluation": WorkGroupEvaluationFactory(work_group=group),
    }


@pytest.fixture
def world():
    a = hub_world(HubFactory(name="Ash Maths Hub"), "Alder")
    b = hub_world(HubFactory(name="Beech Maths Hub"), "Birch")
    return {
        "a": a,
        "b": b,
        "manager": HubMembershipFactory(hub=a["hub"]).user,
        "national": NationalAdminFactory(),
        "teacher": TeacherFactory(is_staff=False),
        "staff_without_hub": UserFactory(is_staff=True),
    }


def admin_url(obj, view="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def list_url(model_name):
    app = {
        "workgroup": "workgroups",
        "session": "workgroups",
        "place": "workgroups",
        "registration": "workgroups",
        "llme": "participants",
        "hub": "participants",
        "hubmembership": "participants",
        "offer": "projects",
        "workgroupevaluation": "evaluations",
    }[model_name]
    return reverse(f"admin:{app}_{model_name}_changelist")


# What marks each page's rows as hub A's or hub B's.
LIST_MARKERS = {
    "workgroup": ("Alder Group", "Birch Group"),
    "session": ("Alder Group", "Birch Group"),
    "place": ("Alder Primary", "Birch Primary"),
    "registration": ("Alder Group", "Birch Group"),
    "workgroupevaluation": ("Alder Group", "Birch Group"),
    "llme": ("Alderlead", "Birchlead"),
    "hub": ("Ash Maths Hub", "Beech Maths Hub"),
    "offer": ("Ash Maths Hub", "Beech Maths Hub"),
}


@pytest.mark.parametrize("model_name", LIST_MARKERS)
def test_hub_manager_lists_only_their_own_hubs_rows(client, world, model_name):
    client.force_login(world["manager"])

    html = client.get(list_url(model_name)).content.decode()

    own, other = LIST_MARKERS[model_name]
    assert own in html
    assert other not in html


@pytest.mark.parametrize("model_name", LIST_MARKERS)
def test_national_team_lists_every_hubs_rows(client, world, model_name):
    client.force_login(world["national"])

    html = client.get(list_url(model_name)).content.decode()

    assert all(marker in html for marker in LIST_MARKERS[model_name])


CHANGEABLE = ["group", "place", "registration", "session", "llme", "offer", "evaluation", "hub"]
# Places and registrations are never deleted in the admin (the services withdraw them).
DELETABLE = ["group", "session", "llme", "offer", "evaluation"]


@pytest.mark.parametrize(
    ("key", "view"),
    [(key, "change") for key in CHANGEABLE] + [(key, "delete") for key in DELETABLE],
)
def test_another_hubs_object_does_not_exist_for_a_hub_manager(client, world, key, view):
    client.force_login(world["manager"])
    other = world["b"][key]

    response = client.get(admin_url(other, view))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    [message] = get_messages(response.wsgi_request)
    assert "doesn\u2019t exist" in message.message  # Django's curly apostrophe
    assert type(other).objects.filter(pk=other.pk).exists()


def test_deleting_another_hubs_group_by_post_changes_nothing(client, world):
    client.force_login(world["manager"])
    group = world["b"]["group"]

    response = client.post(admin_url(group, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert WorkGroup.objects.filter(pk=group.pk).exists()


def group_form_data(world, hub, **changes):
    a = world["a"]
    return {
        "project": a["group"].project_id,
        "hub": hub.pk,
        "academic_year": a["group"].academic_year_id,
        "name": "New group",
        "status": "draft",
        "delivery_mode": "online",
        "capacity": 6,
        "sessions-TOTAL_FORMS": 0,
        "sessions-INITIAL_FORMS": 0,
        "places-TOTAL_FORMS": 0,
        "places-INITIAL_FORMS": 0,
        **changes,
    }


def test_adding_a_group_for_another_hub_is_refused_with_a_form_error(client, world):
    client.force_login(world["manager"])

    response = client.post(
        reverse("admin:workgroups_workgroup_add"), group_form_data(world, world["b"]["hub"])
    )

    assert response.status_code == 200
    assert "hub" in response.context["adminform"].form.errors
    assert not WorkGroup.objects.filter(name="New group").exists()


def test_a_group_cannot_be_moved_to_another_hub_from_its_change_form(client, world):
    client.force_login(world["manager"])
    group = world["a"]["group"]

    response = client.post(
        admin_url(group), group_form_data(world, world["b"]["hub"], name=group.name)
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.hub == world["a"]["hub"]


def test_hub_manager_adds_a_group_for_their_own_hub(client, world):
    client.force_login(world["manager"])

    response = client.post(
        reverse("admin:workgroups_workgroup_add"), group_form_data(world, world["a"]["hub"])
    )

    assert response.status_code == 302
    assert WorkGroup.objects.get(name="New group").hub == world["a"]["hub"]


def form_choices(client, url, field):
    form = client.get(url).context["adminform"].form
    return set(form.fields[field].queryset)


def test_group_form_offers_only_the_managers_hub_and_its_llmes(client, world):
    client.force_login(world["manager"])
    url = reverse("admin:workgroups_workgroup_add")

    assert form_choices(client, url, "hub") == {world["a"]["hub"]}
    assert form_choices(client, url, "leads") == {world["a"]["llme"]}


@pytest.mark.parametrize(
    ("model_url", "field"),
    [
        ("admin:workgroups_session_add", "work_group"),
        ("admin:workgroups_invitation_add", "work_group"),
        ("admin:workgroups_registration_add", "group"),
    ],
)
def test_related_choices_are_only_the_managers_hubs(client, world, model_url, field):
    client.force_login(world["manager"])

    choices = form_choices(client, reverse(model_url), field)

    key = {"work_group": "group", "group": "group"}.get(field, field)
    assert choices == {world["a"][key]}


def test_national_team_is_offered_every_hub(client, world):
    client.force_login(world["national"])

    choices = form_choices(client, reverse("admin:workgroups_workgroup_add"), "hub")

    assert {world["a"]["hub"], world["b"]["hub"]} <= choices


def autocomplete(client, term="", source="workgroups.workgroup", field="leads"):
    app_label, model_name = source.split(".")
    params = {
        "app_label": app_label,
        "model_name": model_name,
        "field_name": field,
        "term": term,
    }
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


def test_llme_autocomplete_finds_only_the_managers_hubs_llmes(client, world):
    client.force_login(world["manager"])

    assert autocomplete(client) == {world["a"]["llme"].pk}
    assert autocomplete(client, "Birchlead") == set()


def test_llme_autocomplete_finds_every_llme_for_the_national_team(client, world):
    client.force_login(world["national"])

    assert autocomplete(client) == {world["a"]["llme"].pk, world["b"]["llme"].pk}


def test_group_autocomplete_for_registrations_finds_only_the_managers_groups(client, world):
    client.force_login(world["manager"])

    found = autocomplete(client, "Group", source="workgroups.registration", field="work_group")

    assert found == {world["a"]["group"].pk}


def test_user_autocomplete_finds_only_people_connected_to_the_managers_hub(client, world):
    client.force_login(world["manager"])
    ours, theirs = world["a"]["registration"].user, world["b"]["registration"].user

    def found(person):
        return autocomplete(client, person.email, source="workgroups.registration", field="user")

    assert found(ours) == {ours.pk}
    assert found(theirs) == set()
    assert found(world["teacher"]) == set()


def test_teacher_is_sent_to_sign_in(client, world):
    client.force_login(world["teacher"])

    response = client.get(reverse("admin:workgroups_workgroup_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_hub_manager_cannot_change_a_project(client, world):
    client.force_login(world["manager"])
    project = world["a"]["group"].project

    response = client.post(admin_url(project), {"title": "Renamed", "code": project.code})

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title != "Renamed"


def test_hub_manager_cannot_make_a_teacher_staff_or_rename_them(client, world):
    client.force_login(world["manager"])
    teacher = world["a"]["registration"].user

    response = client.post(
        admin_url(teacher),
        {
            "first_name": "Renamed",
            "last_name": teacher.last_name,
            "role": "teacher",
            "school": teacher.school_id,
            "is_staff": "on",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.first_name != "Renamed"
    assert not teacher.is_staff
    assert not teacher.is_superuser


def test_hub_manager_cannot_change_a_national_admins_account(client, world):
    client.force_login(world["manager"])
    national = world["national"]

    response = client.post(admin_url(national), {"first_name": "Mallory"})

    # Not connected to the manager's hub, so not found (a connected one would be read-only).
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    national.refresh_from_db()
    assert national.first_name != "Mallory"


OK, NOT_FOUND, LOGIN, FORBIDDEN = "ok", "not found", "sign in", "forbidden"


def outcome(response):
    if response.status_code == 200:
        return OK
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 302 and response.url == reverse("admin:index"):
        return NOT_FOUND
    if response.status_code == 302 and response.url.startswith(reverse("admin:login")):
        return LOGIN
    return response.status_code


def url_for(world, target):
    """Admin URLs named by what they open: ``"b.group"`` is hub B's group's change page."""
    named = {
        "index": lambda: reverse("admin:index"),
        "groups": lambda: reverse("admin:workgroups_workgroup_changelist"),
        "add group": lambda: reverse("admin:workgroups_workgroup_add"),
        "add place": lambda: reverse("admin:workgroups_place_add"),
        "add registration": lambda: reverse("admin:workgroups_registration_add"),
        "projects": lambda: reverse("admin:projects_project_changelist"),
        "project": lambda: admin_url(world["a"]["group"].project),
        "add project": lambda: reverse("admin:projects_project_add"),
        "school": lambda: admin_url(world["b"]["place"].school),
        "add school": lambda: reverse("admin:participants_school_add"),
        "users": lambda: reverse("admin:participants_user_changelist"),
        "password": lambda: reverse("admin:auth_user_password_change", args=[world["teacher"].pk]),
        "reports": lambda: reverse("admin:evaluations_nationalreport_changelist"),
        "hubs": lambda: reverse("admin:participants_hub_changelist"),
    }
    if target in named:
        return named[target]()
    side, key = target.split(".")
    return admin_url(world[side][key])


MATRIX = [
    # role, page, outcome
    ("national", "index", OK),
    ("national", "groups", OK),
    ("national", "a.group", OK),
    ("national", "b.group", OK),
    ("national", "add project", OK),
    ("national", "add school", OK),
    ("national", "add place", FORBIDDEN),
    ("national", "reports", OK),
    ("national", "password", OK),
    ("manager", "index", OK),
    ("manager", "groups", OK),
    ("manager", "add group", OK),
    ("manager", "a.group", OK),
    ("manager", "b.group", NOT_FOUND),
    ("manager", "a.place", OK),
    ("manager", "b.place", NOT_FOUND),
    ("manager", "b.registration", NOT_FOUND),
    ("manager", "add place", FORBIDDEN),
    ("manager", "add registration", OK),
    ("manager", "projects", OK),
    ("manager", "project", OK),
    ("manager", "add project", FORBIDDEN),
    ("manager", "school", OK),
    ("manager", "add school", FORBIDDEN),
    ("manager", "users", OK),
    ("manager", "password", FORBIDDEN),
    ("manager", "reports", FORBIDDEN),
    ("manager", "hubs", OK),
    ("manager", "a.hub", OK),
    ("manager", "b.hub", NOT_FOUND),
    ("teacher", "index", LOGIN),
    ("teacher", "groups", LOGIN),
    ("teacher", "a.group", LOGIN),
    ("teacher", "reports", LOGIN),
    ("staff_without_hub", "index", LOGIN),
    ("staff_without_hub", "groups", LOGIN),
    ("staff_without_hub", "a.group", LOGIN),
    ("staff_without_hub", "projects", LOGIN),
    ("staff_without_hub", "reports", LOGIN),
]


@pytest.mark.parametrize(("role", "page", "expected"), MATRIX)
def test_permission_matrix(client, world, role, page, expected):
    client.force_login(world[role])

    response = client.get(url_for(world, page))

    assert outcome(response) == expected


def test_national_reports_are_read_only_even_for_the_national_team(client, world):
    report = NationalReport.objects.create(
        project=ProjectFactory(), academic_year=world["a"]["group"].academic_year
    )
    client.force_login(world["national"])

    html = client.get(admin_url(report)).content.decode()

    assert 'name="_save"' not in html
    assert client.get(reverse("admin:evaluations_nationalreport_add")).status_code == 403


def test_hub_manager_reads_every_school_but_cannot_edit_one(client, world):
    client.force_login(world["manager"])
    school = SchoolFactory(name="Faraway Academy", hub=world["b"]["hub"])

    listing = client.get(reverse("admin:participants_school_changelist"), {"q": "Faraway"})
    page = client.get(admin_url(school))

    assert "Faraway Academy" in listing.content.decode()
    assert 'name="_save"' not in page.content.decode()
