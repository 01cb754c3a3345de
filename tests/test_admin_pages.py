"""Admin pages render, show what hub staff need, and cost the same queries at any size."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import OutcomeEvaluation
from participants.models import User
from projects.models import OutcomeArea
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    PlaceFactory,
    RegistrationFactory,
    SessionFactory,
    TeacherFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
)
from workgroups.models import PlaceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return HubFactory()


@pytest.fixture
def manager(hub):
    return HubMembershipFactory(hub=hub).user


def add_groups(hub, count):
    """``count`` groups, each with two places (one person in each), sessions and an evaluation."""
    areas = list(OutcomeArea.objects.all())
    for _ in range(count):
        group = WorkGroupFactory(hub=hub)
        group.leads.add(LLMEFactory(hub=hub))
        fill_group(group, places=2)
        evaluation = WorkGroupEvaluationFactory(work_group=group)
        OutcomeEvaluation.objects.bulk_create(
            OutcomeEvaluation(evaluation=evaluation, area=area, rating=2) for area in areas
        )


def fill_group(group, places):
    for _ in range(places):
        RegistrationFactory(place=PlaceFactory(work_group=group))
        SessionFactory(work_group=group)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


LIST_PAGES = [
    "admin:workgroups_workgroup_changelist",
    "admin:workgroups_place_changelist",
    "admin:workgroups_registration_changelist",
    "admin:workgroups_session_changelist",
    "admin:workgroups_attendance_changelist",
    "admin:participants_school_changelist",
    "admin:participants_llme_changelist",
    "admin:participants_user_changelist",
    "admin:projects_offer_changelist",
    "admin:evaluations_workgroupevaluation_changelist",
]


@pytest.mark.parametrize("role", ["hub manager", "national team"])
@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_page_queries_do_not_grow_with_rows(client, hub, manager, page, role):
    client.force_login(manager if role == "hub manager" else NationalAdminFactory())
    url = reverse(page)
    add_groups(hub, 2)
    client.get(url)  # warm per-process caches (content types, site) before counting
    small = count_queries(client, url)

    add_groups(hub, 10)
    # New groups bring new projects and years: the filters' choices, kept until those change,
    # are read again once.
    client.get(url)
    large = count_queries(client, url)

    assert large == small


def test_group_change_page_queries_do_not_grow_with_places_and_sessions(client, hub, manager):
    client.force_login(manager)
    group = WorkGroupFactory(hub=hub, capacity=20)
    group.leads.add(LLMEFactory(hub=hub), LLMEFactory(hub=hub))
    url = reverse("admin:workgroups_workgroup_change", args=[group.pk])
    fill_group(group, places=2)
    client.get(url)
    small = count_queries(client, url)

    fill_group(group, places=10)
    large = count_queries(client, url)

    assert large == small


def test_evaluation_change_page_queries_do_not_grow_with_rated_areas(client, hub, manager):
    client.force_login(manager)
    evaluation = WorkGroupEvaluationFactory(work_group=WorkGroupFactory(hub=hub))
    url = reverse("admin:evaluations_workgroupevaluation_change", args=[evaluation.pk])
    first, *rest = OutcomeArea.objects.all()
    OutcomeEvaluation.objects.create(evaluation=evaluation, area=first)
    client.get(url)
    small = count_queries(client, url)

    OutcomeEvaluation.objects.bulk_create(
        OutcomeEvaluation(evaluation=evaluation, area=area) for area in rest
    )
    large = count_queries(client, url)

    assert rest
    assert large == small


def test_group_change_page_shows_each_places_participants_and_the_places_left(client, hub, manager):
    client.force_login(manager)
    group = WorkGroupFactory(hub=hub, capacity=5)
    confirmed = PlaceFactory(work_group=group, school__name="Oakfield Primary")
    RegistrationFactory(place=confirmed, user__first_name="Ada", user__last_name="Lovelace")
    waiting = PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)
    RegistrationFactory(place=waiting, user__first_name="Grace", user__last_name="Hopper")

    response = client.get(reverse("admin:workgroups_workgroup_change", args=[group.pk]))

    html = response.content.decode()
    assert "Oakfield Primary" in html
    assert "Ada Lovelace (Lead participant)" in html
    assert "Grace Hopper (Lead participant)" in html
    assert "On the waiting list" in html
    fields = {
        field.field["name"]: field.contents()
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
        if field.is_readonly
    }
    assert fields["places_taken"] == "1"
    assert fields["places_left"] == "4"
    assert fields["waitlisted"] == "1"


def test_group_list_shows_places_taken_left_and_waitlisted(client, hub, manager):
    client.force_login(manager)
    group = WorkGroupFactory(hub=hub, capacity=3)
    PlaceFactory.create_batch(2, work_group=group)
    PlaceFactory(work_group=group, status=PlaceStatus.WAITLISTED)

    response = client.get(reverse("admin:workgroups_workgroup_changelist"))

    [row] = response.context["cl"].result_list
    admin_ = response.context["cl"].model_admin
    assert (admin_.places_taken(row), admin_.places_left(row), admin_.waitlisted(row)) == (2, 1, 1)


def registered_pages() -> list:
    return [
        pytest.param(model_admin, id=model._meta.label)
        for model, model_admin in admin.site._registry.items()
    ]


@pytest.mark.parametrize("model_admin", registered_pages())
def test_every_list_page_renders_for_the_national_team(client, model_admin):
    add_groups(HubFactory(), 1)
    client.force_login(NationalAdminFactory())
    opts = model_admin.model._meta

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model_admin", registered_pages())
def test_every_hub_page_renders_for_hub_staff(client, hub, manager, model_admin):
    add_groups(hub, 1)
    client.force_login(manager)
    opts = model_admin.model._meta
    # Sign-in addresses and authenticators (allauth), permission groups and the whole audit
    # trail are the national team's business.
    national_only = opts.label in (
        "evaluations.NationalReport",
        "auth.Group",
        "account.EmailAddress",
        "mfa.Authenticator",
        "auditlog.LogEntry",
    )

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert response.status_code == (403 if national_only else 200)


def test_searching_schools_by_a_word_does_not_fail_on_the_urn(client, hub, manager):
    client.force_login(manager)
    PlaceFactory(school__name="Meadow Primary", work_group=WorkGroupFactory(hub=hub))

    response = client.get(reverse("admin:participants_school_changelist"), {"q": "Meadow"})

    assert "Meadow Primary" in response.content.decode()


# Places, interest and reports come from the site and the services, never the add form; so do
# the records leads and teachers write (attendance, session records, responses, action plans,
# evaluations), which the admin only shows; the audit trail is written by the changes alone.
NO_ADD_FORM = {
    "auditlog.LogEntry",
    "participants.SchoolLeaderClaim",
    "workgroups.Place",
    "projects.Interest",
    "evaluations.NationalReport",
    "workgroups.Attendance",
    "workgroups.Milestone",
    "workgroups.SessionRecord",
    "workgroups.GapTaskResponse",
    "evaluations.WorkGroupEvaluation",
}


@pytest.mark.parametrize("model_admin", registered_pages())
def test_every_add_page_renders_for_the_national_team(client, model_admin):
    client.force_login(NationalAdminFactory())
    opts = model_admin.model._meta

    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))

    assert response.status_code == (403 if opts.label in NO_ADD_FORM else 200)


def test_national_team_adds_a_user_with_an_email_and_a_password(client):
    client.force_login(NationalAdminFactory())

    response = client.post(
        reverse("admin:participants_user_add"),
        {
            "email": "new.teacher@example.org",
            "usable_password": "true",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.teacher@example.org")
    assert user.check_password("a long and unusual passphrase")
    assert not user.is_staff


def test_hub_staff_cannot_add_users(client, manager):
    client.force_login(manager)

    response = client.get(reverse("admin:participants_user_add"))

    assert response.status_code == 403


def test_hub_staff_do_not_see_calendar_tokens_or_password_hashes(client, hub, manager):
    teacher = TeacherFactory(school__hub=hub)
    client.force_login(manager)

    html = client.get(reverse("admin:participants_user_change", args=[teacher.pk])).content
    html = html.decode()

    assert teacher.calendar_token not in html
    assert teacher.password not in html
    assert teacher.email in html
