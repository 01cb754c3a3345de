"""Confirmed school leaders invite colleagues; nobody is registered without accepting."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participants.models import ClaimStatus, User
from tests.factories import ProjectFactory, RegistrationFactory, SchoolFactory, school_leader
from tests.projects.helpers import group, running_project, teacher
from workgroups import services
from workgroups.models import Nomination, NominationStatus, PlaceStatus, Registration
from workgroups.services.nominations import (
    NOMINATIONS_PER_DAY,
    accept_nomination,
    decline_nomination,
)

pytestmark = pytest.mark.django_db

MINE = reverse("workgroups:my_registrations")


def leader_at(school=None):
    return school_leader(school=school or SchoolFactory())


def nominate_url(work_group):
    return reverse("workgroups:nominate", args=[work_group.pk])


def held_place(work_group=None):
    """A group in which a school holds a confirmed place (one participant), and its place."""
    work_group = work_group or group()
    return work_group, RegistrationFactory(place__work_group=work_group).place


def invite(leader, work_group, email, role=None):
    return services.nominate(
        leader=leader,
        work_group=work_group,
        email=email,
        role=role or work_group.project.roles.get(),
    )


def test_naming_a_colleague_with_an_account_invites_them_and_registers_nobody():
    work_group, place = held_place()
    leader = leader_at(place.school)
    colleague = teacher(school=place.school)

    nomination = invite(leader, work_group, colleague.email.upper())

    assert nomination.status == NominationStatus.INVITED
    assert nomination.user == colleague
    assert nomination.invited_by == leader
    assert not Registration.objects.filter(user=colleague).exists()


def test_named_colleague_is_registered_only_when_they_accept():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = invite(leader_at(place.school), work_group, colleague.email)

    registration = accept_nomination(nomination=nomination, user=colleague)

    nomination.refresh_from_db()
    assert registration.user == colleague
    assert registration.place == place
    assert place.status == PlaceStatus.CONFIRMED
    assert nomination.status == NominationStatus.ACCEPTED
    assert nomination.registration == registration
    assert nomination.answered_at is not None


def test_declining_leaves_them_unregistered_and_frees_the_role():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    leader = leader_at(place.school)
    nomination = invite(leader, work_group, colleague.email)

    decline_nomination(nomination=nomination, user=colleague)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DECLINED
    assert not Registration.objects.filter(user=colleague).exists()
    # The role's one remaining seat is free again for someone else.
    assert invite(leader, work_group, "another@school.example").status == NominationStatus.INVITED


def test_an_answered_invitation_cannot_be_answered_again():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = invite(leader_at(place.school), work_group, colleague.email)
    decline_nomination(nomination=nomination, user=colleague)

    with pytest.raises(services.RegistrationError, match="already declined"):
        accept_nomination(nomination=nomination, user=colleague)
    assert not Registration.objects.filter(user=colleague).exists()


def test_only_the_named_person_can_answer_an_invitation():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    someone_else = teacher(school=place.school)
    nomination = invite(leader_at(place.school), work_group, colleague.email)

    with pytest.raises(services.RegistrationError, match="for someone else"):
        accept_nomination(nomination=nomination, user=someone_else)
    assert not Registration.objects.filter(user=someone_else).exists()


def test_a_declined_invitation_is_not_sent_again():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    leader = leader_at(place.school)
    decline_nomination(nomination=invite(leader, work_group, colleague.email), user=colleague)

    with pytest.raises(services.RegistrationError, match="declined an invitation"):
        invite(leader, work_group, colleague.email)


def test_colleague_at_another_school_is_refused_and_nothing_changes():
    work_group, place = held_place()
    stranger = teacher()

    with pytest.raises(services.RegistrationError, match="invitations go only to staff of"):
        invite(leader_at(place.school), work_group, stranger.email)
    assert not Nomination.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (None, "Only a confirmed school leader"),
        (ClaimStatus.PENDING, "once your school leader role is confirmed"),
        (ClaimStatus.REJECTED, "did not confirm your school leader role"),
    ],
)
def test_only_confirmed_school_leaders_may_name_colleagues(status, message):
    work_group, place = held_place()
    user = school_leader(school=place.school, status=status)

    with pytest.raises(services.RegistrationError, match=message):
        invite(user, work_group, "a@b.example")
    assert not Nomination.objects.exists()


def test_a_teacher_may_not_name_colleagues():
    work_group, place = held_place()

    with pytest.raises(services.RegistrationError, match="Only a confirmed school leader"):
        invite(teacher(school=place.school), work_group, "a@b.example")


def test_inviting_needs_the_school_to_hold_a_place():
    work_group = group()

    with pytest.raises(services.RegistrationError, match="does not hold a place"):
        invite(leader_at(), work_group, "new@school.example")
    assert not Nomination.objects.exists()


def test_invitation_is_emailed_and_takes_no_seat_until_accepted(
    django_capture_on_commit_callbacks,
):
    work_group, place = held_place()
    leader = leader_at(place.school)

    with django_capture_on_commit_callbacks(execute=True):
        invite(leader, work_group, "new@school.example")
    # One seat of two is left: a second invitation is still allowed, whoever accepts first
    # takes it.
    invite(leader, work_group, "two@school.example")

    message = mail.outbox[0]
    assert message.to == ["new@school.example"]
    assert "create an account" in message.body
    assert "http://127.0.0.1:8000/accounts/signup/" in message.body
    assert "you are not registered until you do" in message.body
    assert "This invitation lapses on " in message.body


def test_a_colleague_with_an_account_is_emailed_to_accept_on_their_registrations_page(
    django_capture_on_commit_callbacks,
):
    work_group, place = held_place()
    colleague = teacher(school=place.school)

    with django_capture_on_commit_callbacks(execute=True):
        invite(leader_at(place.school), work_group, colleague.email)

    [message] = mail.outbox
    assert message.to == [colleague.email]
    assert "You are not registered yet" in message.body
    assert "http://127.0.0.1:8000/groups/mine/" in message.body


def test_a_leader_sends_at_most_the_daily_number_of_invitations():
    work_group = group(project=running_project(roles=[("Lead participant", 100)]))
    _, place = held_place(work_group)
    leader = leader_at(place.school)
    old = invite(leader, work_group, "yesterday@school.example")
    Nomination.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    for number in range(NOMINATIONS_PER_DAY):
        invite(leader, work_group, f"colleague{number}@school.example")

    with pytest.raises(services.RegistrationError, match="Try again tomorrow"):
        invite(leader, work_group, "one-too-many@school.example")
    assert not Nomination.objects.filter(email="one-too-many@school.example").exists()


def test_invited_person_without_an_account_signs_up_then_must_accept(
    client, django_capture_on_commit_callbacks
):
    work_group, place = held_place()
    invite(leader_at(place.school), work_group, "new@school.example")

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
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group()
    client.post(link.split("testserver", 1)[-1])

    nomination = Nomination.objects.get()
    assert nomination.user == user
    assert nomination.status == NominationStatus.INVITED
    assert not Registration.objects.filter(user=user).exists()

    user.school, user.first_name, user.last_name, user.role = place.school, "Ada", "L", "teacher"
    user.save()
    client.force_login(user)
    assert "Invitations waiting for your answer" in client.get(MINE).content.decode()
    client.post(reverse("workgroups:accept_invitation", args=[nomination.pk]))

    assert Registration.objects.get(user=user).place == place


def test_accepting_needs_the_profile_to_name_the_places_school():
    work_group, place = held_place()
    invite(leader_at(place.school), work_group, "moved@school.example")
    user = teacher(email="moved@school.example")
    services.claim_nominations(user=user)
    nomination = Nomination.objects.get()

    with pytest.raises(services.RegistrationError, match=r"Choose .* as your school"):
        accept_nomination(nomination=nomination, user=user)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.INVITED
    assert not Registration.objects.filter(user=user).exists()


def test_my_registrations_shows_an_invitation_and_accepting_registers(client):
    work_group, place = held_place(group(name="Number Sense Group"))
    colleague = teacher(school=place.school)
    nomination = invite(leader_at(place.school), work_group, colleague.email)
    client.force_login(colleague)

    page = client.get(MINE).content.decode()
    response = client.post(
        reverse("workgroups:accept_invitation", args=[nomination.pk]), follow=True
    )

    assert 'Accept<span class="visually-hidden"> the invitation to Number Sense Group' in page
    assert "You are not registered until you accept" in page
    assert Registration.objects.get(user=colleague).place == place
    assert "You are registered for Number Sense Group" in response.content.decode()
    assert "Invitations waiting for your answer" not in response.content.decode()


def test_declining_on_the_page_says_so_and_registers_nobody(client):
    work_group, place = held_place(group(name="Number Sense Group"))
    colleague = teacher(school=place.school)
    nomination = invite(leader_at(place.school), work_group, colleague.email)
    client.force_login(colleague)

    response = client.post(
        reverse("workgroups:decline_invitation", args=[nomination.pk]), follow=True
    )

    assert "You have declined the invitation to Number Sense Group" in response.content.decode()
    assert not Registration.objects.filter(user=colleague).exists()


def test_someone_elses_invitation_is_not_found(client):
    work_group, place = held_place()
    nomination = invite(leader_at(place.school), work_group, teacher(school=place.school).email)
    client.force_login(teacher(school=place.school))

    for name in ("workgroups:accept_invitation", "workgroups:decline_invitation"):
        assert client.post(reverse(name, args=[nomination.pk])).status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.INVITED


def test_leader_names_a_colleague_through_the_form(client):
    work_group, place = held_place()
    leader = leader_at(place.school)
    colleague = teacher(school=place.school)
    client.force_login(leader)

    response = client.post(
        nominate_url(work_group),
        {"email": colleague.email, "role": work_group.project.roles.get().pk},
        follow=True,
    )

    html = response.content.decode()
    assert f"We have invited {colleague.email}" in html
    assert "once they accept the invitation" in html
    assert not Registration.objects.filter(user=colleague).exists()
    assert Nomination.objects.get().user == colleague


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


@pytest.mark.parametrize("status", ["teacher", ClaimStatus.PENDING, ClaimStatus.REJECTED])
def test_people_who_are_not_confirmed_leaders_cannot_post_nominations(client, status):
    work_group, place = held_place()
    user = (
        teacher(school=place.school)
        if status == "teacher"
        else school_leader(school=place.school, status=status)
    )
    client.force_login(user)

    response = client.post(
        nominate_url(work_group),
        {"email": "a@b.example", "role": work_group.project.roles.get().pk},
    )

    assert response.status_code == 404
    assert not Nomination.objects.exists()
    assert not mail.outbox


def test_place_page_lists_open_invitations_without_taking_a_seat(client):
    project = running_project(roles=[("Lead participant", 2)])
    work_group, place = held_place(group(project=project))
    leader = leader_at(place.school)
    invite(leader, work_group, "new@school.example")
    client.force_login(leader)

    response = client.get(reverse("workgroups:place", args=[place.pk]))

    row = response.context["roster"][0]
    assert row.invited == ["new@school.example"]
    assert row.missing == 1
    assert "new@school.example (invited)" in response.content.decode()


def test_project_role_of_another_project_is_refused():
    work_group, place = held_place()

    with pytest.raises(services.RegistrationError, match="Choose one of the roles"):
        invite(leader_at(place.school), work_group, "a@b.example", ProjectFactory().roles.get())
