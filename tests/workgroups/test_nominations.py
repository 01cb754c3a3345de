import re

import pytest
from django.core import mail
from django.urls import reverse

from participants.models import User, UserRole
from tests.factories import ProjectFactory, RegistrationFactory, SchoolFactory
from tests.projects.helpers import group, running_project, teacher
from workgroups import services
from workgroups.models import Nomination, PlaceStatus, Registration

pytestmark = pytest.mark.django_db


def leader_at(school=None):
    return teacher(school=school or SchoolFactory(), role=UserRole.SCHOOL_LEADER)


def nominate_url(work_group):
    return reverse("workgroups:nominate", args=[work_group.pk])


def test_colleague_with_an_account_at_the_school_is_registered_at_once():
    work_group = group()
    leader = leader_at()
    colleague = teacher(school=leader.school)

    nomination = services.nominate(
        leader=leader,
        work_group=work_group,
        email=colleague.email.upper(),
        role=work_group.project.roles.get(),
    )

    assert nomination.registration.user == colleague
    assert nomination.place.status == PlaceStatus.CONFIRMED
    assert nomination.invited_by == leader


def test_colleague_at_another_school_is_refused_and_nothing_changes():
    leader = leader_at()
    stranger = teacher()

    with pytest.raises(services.RegistrationError, match="not linked to"):
        services.nominate(
            leader=leader,
            work_group=group(),
            email=stranger.email,
            role=ProjectFactory().roles.get(),
        )
    assert not Registration.objects.exists()


def test_only_school_leaders_may_name_colleagues():
    user = teacher()

    with pytest.raises(services.RegistrationError, match="Only a school leader"):
        services.nominate(
            leader=user, work_group=group(), email="a@b.example", role=ProjectFactory().roles.get()
        )


def test_inviting_someone_without_an_account_needs_the_school_to_hold_a_place():
    work_group = group()

    with pytest.raises(services.RegistrationError, match="does not hold a place"):
        services.nominate(
            leader=leader_at(),
            work_group=work_group,
            email="new@school.example",
            role=work_group.project.roles.get(),
        )
    assert not Nomination.objects.exists()


def test_invitation_is_emailed_and_counts_against_the_role_limit(
    django_capture_on_commit_callbacks,
):
    work_group = group()
    place = RegistrationFactory(place__work_group=work_group).place
    leader = leader_at(place.school)
    role = work_group.project.roles.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.nominate(
            leader=leader, work_group=work_group, email="new@school.example", role=role
        )
    with pytest.raises(services.RegistrationError, match="all taken or promised"):
        services.nominate(
            leader=leader, work_group=work_group, email="two@school.example", role=role
        )

    assert mail.outbox[0].to == ["new@school.example"]
    assert "create an account" in mail.outbox[0].body
    assert "http://127.0.0.1:8000/accounts/signup/" in mail.outbox[0].body


def test_invited_colleague_lands_in_the_place_after_signing_up_and_verifying(
    client, django_capture_on_commit_callbacks
):
    work_group = group()
    place = RegistrationFactory(place__work_group=work_group).place
    services.nominate(
        leader=leader_at(place.school),
        work_group=work_group,
        email="new@school.example",
        role=work_group.project.roles.get(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "new@school.example",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
    user = User.objects.get(email="new@school.example")
    assert not Registration.objects.filter(user=user).exists()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group()
    client.post(link.split("testserver", 1)[-1])

    registration = Registration.objects.get(user=user)
    assert registration.place == place
    user.refresh_from_db()
    assert user.school == place.school
    assert Nomination.objects.get().registration == registration


def test_claim_leaves_invitations_for_another_school_open():
    work_group = group()
    place = RegistrationFactory(place__work_group=work_group).place
    services.nominate(
        leader=leader_at(place.school),
        work_group=work_group,
        email="moved@school.example",
        role=work_group.project.roles.get(),
    )
    user = teacher(email="moved@school.example")

    assert services.claim_nominations(user=user) == []
    assert Nomination.objects.get().registration is None


def test_leader_names_a_colleague_through_the_form(client):
    work_group = group()
    leader = leader_at()
    colleague = teacher(school=leader.school)
    client.force_login(leader)

    response = client.post(
        nominate_url(work_group),
        {"email": colleague.email, "role": work_group.project.roles.get().pk},
        follow=True,
    )

    assert f"{colleague.email} is registered as Lead participant" in response.content.decode()
    assert Registration.objects.get().user == colleague


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "role": ""}, "This field is required"),
        ({"email": "<script>alert(1)</script>", "role": "1"}, "Enter a valid email address"),
        ({"email": ("x" * 250) + "@a.example", "role": "1"}, "at most 254 characters"),
        ({"email": "new@school.example", "role": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_nomination_values_are_refused_next_to_the_fields(client, data, message):
    work_group = group()
    client.force_login(leader_at())

    response = client.post(nominate_url(work_group), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert not Nomination.objects.exists()


def test_teachers_who_are_not_leaders_cannot_post_nominations(client):
    work_group = group()
    client.force_login(teacher())

    response = client.post(
        nominate_url(work_group),
        {"email": "a@b.example", "role": work_group.project.roles.get().pk},
    )

    assert response.status_code == 404


def test_place_page_lists_open_invitations_as_filling_a_role(client):
    project = running_project(roles=[("Lead participant", 2)])
    work_group = group(project=project)
    registration = RegistrationFactory(place__work_group=work_group)
    leader = leader_at(registration.place.school)
    services.nominate(
        leader=leader, work_group=work_group, email="new@school.example", role=project.roles.get()
    )
    client.force_login(leader)

    response = client.get(reverse("workgroups:place", args=[registration.place_id]))

    row = response.context["roster"][0]
    assert row.invited == ["new@school.example"]
    assert row.missing == 0
    assert "new@school.example (invited)" in response.content.decode()
