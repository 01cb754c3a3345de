"""Invitations to colleagues over their life: they lapse, can be cancelled, belong to the
school's place whoever sent them, and take a role's seat only once accepted."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import audit
from participants.models import ClaimStatus
from tests.factories import HubMembershipFactory, RegistrationFactory, SchoolFactory, school_leader
from tests.projects.helpers import group, running_project, teacher
from workgroups import services, tasks
from workgroups.models import Nomination, NominationStatus, PlaceStatus, Registration
from workgroups.services.nominations import (
    INVITATION_LIFETIME,
    accept_nomination,
    cancel_nomination,
    decline_nomination,
    expire_invitations,
)

pytestmark = pytest.mark.django_db

MINE = reverse("workgroups:my_registrations")
LONG_AGO = datetime.timedelta(days=2)


def held_place(roles=(("Lead participant", 3),)):
    """A recruiting group in which a school holds a confirmed place (one participant)."""
    work_group = group(project=running_project(roles=list(roles)))
    return work_group, RegistrationFactory(place__work_group=work_group).place


def invite(leader, work_group, email, role=None):
    return services.nominate(
        leader=leader,
        work_group=work_group,
        email=email,
        role=role or work_group.project.roles.first(),
    )


def lapse(nomination, *, ago=LONG_AGO):
    """Move the invitation's end into the past, as if its time ran out ``ago``."""
    Nomination.objects.filter(pk=nomination.pk).update(expires_at=timezone.now() - ago)
    nomination.refresh_from_db()
    return nomination


def place_url(place):
    return reverse("workgroups:place", args=[place.pk])


def cancel_url(nomination):
    return reverse("workgroups:cancel_invitation", args=[nomination.pk])


def open_invited(place):
    return [
        n.email for n in Nomination.objects.filter(place=place, status=NominationStatus.INVITED)
    ]


# Expiry -------------------------------------------------------------------------------------


def test_a_new_invitation_lapses_after_the_set_period_and_says_so(
    client, django_capture_on_commit_callbacks
):
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    with django_capture_on_commit_callbacks(execute=True):
        nomination = invite(school_leader(school=place.school), work_group, colleague.email)

    expected = nomination.created_at + INVITATION_LIFETIME
    assert abs(nomination.expires_at - expected) < datetime.timedelta(minutes=1)
    day = timezone.localtime(nomination.expires_at).strftime("%-d %B")
    assert f"This invitation lapses on {day}." in mail.outbox[0].body
    client.force_login(colleague)
    assert f"This invitation lapses on {day}." in client.get(MINE).content.decode()


def test_a_lapsed_invitation_cannot_be_accepted_and_registers_nobody():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = lapse(invite(school_leader(school=place.school), work_group, colleague.email))

    with pytest.raises(services.RegistrationError, match="This invitation lapsed on"):
        accept_nomination(nomination=nomination, user=colleague)
    with pytest.raises(services.RegistrationError, match="lapsed"):
        decline_nomination(nomination=nomination, user=colleague)
    assert not Registration.objects.filter(user=colleague).exists()


def test_accepting_a_lapsed_invitation_on_the_page_says_why(client):
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = lapse(invite(school_leader(school=place.school), work_group, colleague.email))
    client.force_login(colleague)

    response = client.post(
        reverse("workgroups:accept_invitation", args=[nomination.pk]), follow=True
    )

    html = response.content.decode()
    assert "This invitation lapsed on" in html
    assert "Invitations that lapsed or were cancelled" in html
    assert "Invitations waiting for your answer" not in html
    assert not Registration.objects.filter(user=colleague).exists()


def test_a_lapsed_invitation_shows_as_lapsed_to_both_sides_before_any_job_runs(client):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    colleague = teacher(school=place.school)
    lapse(invite(leader, work_group, colleague.email))

    client.force_login(colleague)
    invitee_page = client.get(MINE).content.decode()
    client.force_login(leader)
    leader_page = client.get(place_url(place))

    assert "lapsed on" in invitee_page
    assert "Accept<span" not in invitee_page
    assert "Lapsed</span>" in leader_page.content.decode()
    assert "Cancel invitation" not in leader_page.content.decode()
    assert leader_page.context["roster"][0].invited == []


def test_the_same_colleague_can_be_invited_again_once_it_lapsed():
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    colleague = teacher(school=place.school)
    first = lapse(invite(leader, work_group, colleague.email))

    again = invite(leader, work_group, colleague.email)

    first.refresh_from_db()
    assert first.status == NominationStatus.EXPIRED
    assert again.status == NominationStatus.INVITED
    assert accept_nomination(nomination=again, user=colleague).place == place


def test_an_open_invitation_still_blocks_a_second_one_to_the_same_address():
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    invite(leader, work_group, "new@school.example")

    with pytest.raises(services.RegistrationError, match="already been invited"):
        invite(leader, work_group, "new@school.example")


def test_an_invitation_from_before_end_dates_lapses_the_set_period_after_it_was_sent():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = invite(school_leader(school=place.school), work_group, colleague.email)
    sent = timezone.now() - INVITATION_LIFETIME - LONG_AGO
    Nomination.objects.filter(pk=nomination.pk).update(expires_at=None, created_at=sent)
    nomination.refresh_from_db()

    with pytest.raises(services.RegistrationError, match="lapsed on"):
        accept_nomination(nomination=nomination, user=colleague)


def test_the_daily_job_writes_lapsed_invitations_down_once_and_leaves_open_ones():
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    lapsed = lapse(invite(leader, work_group, "old@school.example"))
    fresh = invite(leader, work_group, "new@school.example")

    assert tasks.expire_invitations() == 1
    assert tasks.expire_invitations() == 0

    lapsed.refresh_from_db()
    fresh.refresh_from_db()
    assert lapsed.status == NominationStatus.EXPIRED
    assert fresh.status == NominationStatus.INVITED
    assert audit.history(lapsed).first().additional_data["reason"] == (
        "Invitation lapsed unanswered"
    )


# Cancelling ---------------------------------------------------------------------------------


def test_the_inviter_cancels_and_the_colleague_is_told_in_a_short_email(
    django_capture_on_commit_callbacks,
):
    work_group, place = held_place()
    leader = school_leader(school=place.school, first_name="Amira", last_name="Khan")
    colleague = teacher(school=place.school)
    nomination = invite(leader, work_group, colleague.email)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_nomination(nomination=nomination, by=leader)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED
    [message] = mail.outbox
    assert message.to == [colleague.email]
    assert "Amira Khan has cancelled the invitation" in message.body
    assert "You need do nothing" in message.body
    entry = audit.history(nomination).first()
    assert entry.actor == leader
    assert entry.additional_data["reason"] == "Invitation cancelled"
    with pytest.raises(services.RegistrationError, match="cancelled by your school"):
        accept_nomination(nomination=nomination, user=colleague)


def test_another_confirmed_leader_of_the_school_may_cancel():
    work_group, place = held_place()
    nomination = invite(school_leader(school=place.school), work_group, "a@school.example")
    deputy = school_leader(school=place.school)

    cancel_nomination(nomination=nomination, by=deputy)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED
    assert audit.history(nomination).first().actor == deputy


def test_the_hubs_staff_may_cancel_and_are_named_as_the_hub(django_capture_on_commit_callbacks):
    work_group, place = held_place()
    nomination = invite(school_leader(school=place.school), work_group, "a@school.example")
    staff = HubMembershipFactory(hub=work_group.hub, mfa=False).user
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_nomination(nomination=nomination, by=staff)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED
    assert f"{work_group.hub} has cancelled the invitation" in mail.outbox[0].body


@pytest.mark.parametrize(
    "who",
    ["teacher at the school", "pending leader", "leader elsewhere", "other hub's staff"],
)
def test_anyone_else_is_refused_and_nothing_changes(who):
    work_group, place = held_place()
    nomination = invite(school_leader(school=place.school), work_group, "a@school.example")
    person = {
        "teacher at the school": lambda: teacher(school=place.school),
        "pending leader": lambda: school_leader(school=place.school, status=ClaimStatus.PENDING),
        "leader elsewhere": lambda: school_leader(school=SchoolFactory()),
        "other hub's staff": lambda: HubMembershipFactory(mfa=False).user,
    }[who]()

    with pytest.raises(services.RegistrationError, match="Only the school's confirmed leaders"):
        cancel_nomination(nomination=nomination, by=person)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.INVITED


def test_the_invitee_cannot_cancel_and_is_told_to_decline():
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = invite(school_leader(school=place.school), work_group, colleague.email)

    with pytest.raises(services.RegistrationError, match="decline it on your registrations"):
        cancel_nomination(nomination=nomination, by=colleague)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.INVITED


def test_an_answered_or_lapsed_invitation_has_nothing_to_cancel():
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    colleague = teacher(school=place.school)
    accepted = invite(leader, work_group, colleague.email)
    accept_nomination(nomination=accepted, user=colleague)
    lapsed = lapse(invite(leader, work_group, "late@school.example"))

    with pytest.raises(services.RegistrationError, match="accepted already"):
        cancel_nomination(nomination=accepted, by=leader)
    with pytest.raises(services.RegistrationError, match="lapsed on"):
        cancel_nomination(nomination=lapsed, by=leader)


def test_a_leader_cancels_from_the_place_page_and_can_name_them_again(client):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    nomination = invite(school_leader(school=place.school), work_group, "a@school.example")
    client.force_login(leader)
    page = client.get(place_url(place)).content.decode()

    response = client.post(cancel_url(nomination), {"next": place_url(place)}, follow=True)

    assert "Cancel invitation<span" in page
    assert response.redirect_chain[-1][0] == place_url(place)
    html = response.content.decode()
    assert "The invitation to a@school.example is cancelled" in html
    assert "Cancelled</span>" in html
    assert open_invited(place) == []
    assert invite(leader, work_group, "a@school.example").status == NominationStatus.INVITED


def test_cancelling_an_invitation_is_not_found_for_the_wrong_person(client):
    work_group, place = held_place()
    colleague = teacher(school=place.school)
    nomination = invite(school_leader(school=place.school), work_group, colleague.email)

    for person in (teacher(school=place.school), school_leader(), colleague):
        client.force_login(person)
        assert client.post(cancel_url(nomination)).status_code == 404
    assert client.get(cancel_url(nomination)).status_code == 405
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.INVITED


def test_cancel_goes_back_only_to_a_page_of_this_site(client):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    nomination = invite(leader, work_group, "a@school.example")
    client.force_login(leader)

    response = client.post(cancel_url(nomination), {"next": "https://evil.example/"})

    assert response.url == MINE


# Belonging to the school's place -------------------------------------------------------------


def test_invitation_survives_the_inviter_withdrawing_and_registering_again(client):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    own = services.register(user=leader, work_group=work_group)
    colleague = teacher(school=place.school)
    nomination = invite(leader, work_group, colleague.email)

    services.withdraw(registration=own)
    services.register(user=leader, work_group=work_group)

    client.force_login(leader)
    response = client.get(place_url(place))
    assert response.context["roster"][0].invited == [colleague.email]
    assert "Cancel invitation<span" in response.content.decode()
    assert colleague.email in client.get(MINE).content.decode()
    registration = accept_nomination(nomination=nomination, user=colleague)
    assert registration.place == place


def test_invitations_are_listed_for_every_confirmed_leader_of_the_school(client):
    work_group, place = held_place()
    invite(school_leader(school=place.school), work_group, "a@school.example")
    other = school_leader(school=place.school)
    client.force_login(other)

    html = client.get(MINE).content.decode()

    assert "Invitations to your school's places" in html
    assert "a@school.example" in html
    assert "Cancel invitation<span" in html


def test_the_last_participant_withdrawing_releases_the_place_and_cancels_its_invitations(
    client,
):
    work_group = group()
    leader = school_leader(school=SchoolFactory())
    own = services.register(user=leader, work_group=work_group)
    colleague = teacher(school=leader.school)
    nomination = invite(leader, work_group, colleague.email)

    services.withdraw(registration=own)

    nomination.refresh_from_db()
    assert own.place.__class__.objects.get(pk=own.place_id).status == PlaceStatus.WITHDRAWN
    assert nomination.status == NominationStatus.CANCELLED
    assert audit.history(nomination).first().additional_data["reason"] == (
        "The school's place was released"
    )
    with pytest.raises(services.RegistrationError, match="no longer holds this place"):
        accept_nomination(nomination=nomination, user=colleague)
    client.force_login(colleague)
    assert "Invitations that lapsed or were cancelled" in client.get(MINE).content.decode()
    # Registering again takes a new place, to which the colleague can be named again.
    services.register(user=leader, work_group=work_group)
    assert invite(leader, work_group, colleague.email).status == NominationStatus.INVITED


def test_the_hub_declining_the_place_cancels_its_invitations():
    work_group = group(project=running_project(requires_approval=True))
    leader = school_leader(school=SchoolFactory())
    place = services.register(user=leader, work_group=work_group).place
    nomination = invite(leader, work_group, "a@school.example")

    services.decline_place(place=place)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED


def test_cancelling_the_group_cancels_its_invitations():
    work_group, place = held_place()
    nomination = invite(school_leader(school=place.school), work_group, "a@school.example")

    services.cancel(work_group=work_group, reason="The lead is unwell.")

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED


def test_the_daily_job_cancels_invitations_left_open_on_a_released_place():
    work_group, place = held_place()
    nomination = invite(school_leader(school=place.school), work_group, "a@school.example")
    # A place released before releasing cancelled its invitations (a bulk update saves no row).
    type(place).objects.filter(pk=place.pk).update(status=PlaceStatus.WITHDRAWN)

    assert expire_invitations() == 1

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CANCELLED


# Counting against a role --------------------------------------------------------------------


def test_open_invitations_take_no_seat_and_the_first_to_accept_takes_the_last_one(client):
    work_group, place = held_place(roles=[("Lead participant", 2)])
    leader = school_leader(school=place.school)
    first, second = teacher(school=place.school), teacher(school=place.school)
    to_first = invite(leader, work_group, first.email)
    to_second = invite(leader, work_group, second.email)

    client.force_login(leader)
    assert client.get(place_url(place)).context["roster"][0].missing == 1
    accept_nomination(nomination=to_first, user=first)

    with pytest.raises(services.RegistrationError, match="were filled while your invitation"):
        accept_nomination(nomination=to_second, user=second)
    to_second.refresh_from_db()
    assert to_second.status == NominationStatus.INVITED
    assert not Registration.objects.filter(user=second).exists()
    with pytest.raises(services.RegistrationError, match="places are all taken"):
        invite(leader, work_group, "third@school.example")


def test_a_cancelled_or_lapsed_invitation_leaves_the_roster(client):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    cancel_nomination(nomination=invite(leader, work_group, "a@school.example"), by=leader)
    lapse(invite(leader, work_group, "b@school.example"))
    invite(leader, work_group, "c@school.example")
    client.force_login(leader)

    roster = client.get(place_url(place)).context["roster"]

    assert roster[0].invited == ["c@school.example"]


# Who may name colleagues ------------------------------------------------------------------------


def test_every_registered_participant_learns_who_can_name_colleagues(client):
    _, place = held_place()
    school_leader(school=place.school, first_name="Amira", last_name="Khan")
    registered = place.registrations.get().user
    client.force_login(registered)

    mine = client.get(MINE).content.decode()
    place_page = client.get(place_url(place)).content.decode()

    for html in (mine, place_page):
        assert "Amira Khan can name colleagues for the school's places" in html


def test_a_school_with_no_confirmed_leader_is_said_to_have_none(client):
    _, place = held_place()
    client.force_login(place.registrations.get().user)

    html = client.get(MINE).content.decode()

    assert "Nobody at" in html
    assert "is confirmed as a school leader yet" in html


def test_someone_with_no_registration_is_not_told_about_naming(client):
    client.force_login(teacher())

    assert "Naming colleagues" not in client.get(MINE).content.decode()


# Pages stay fixed in queries ----------------------------------------------------------------


def _count(client, url) -> int:
    client.get(url)  # caches what the page caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["mine", "place"])
def test_a_leaders_pages_ask_the_same_number_of_queries_however_many_invitations(client, page):
    work_group, place = held_place(roles=[("Lead participant", 30)])
    leader = school_leader(school=place.school)
    client.force_login(leader)
    url = MINE if page == "mine" else place_url(place)
    invite(leader, work_group, "one@school.example")
    lapse(invite(leader, work_group, "two@school.example"))
    small = _count(client, url)

    for number in range(6):
        invite(leader, work_group, f"more{number}@school.example")
        invite(school_leader(school=place.school), work_group, f"other{number}@school.example")
    large = _count(client, url)

    assert large == small


def test_an_invitees_page_asks_the_same_number_of_queries_however_many_invitations(client):
    colleague = teacher()
    counts = []
    for size in (1, 4):
        for _ in range(size):
            work_group = group()
            RegistrationFactory(place__work_group=work_group, place__school=colleague.school)
            invite(school_leader(school=colleague.school), work_group, colleague.email)
        client.force_login(colleague)
        counts.append(_count(client, MINE))

    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("who", "page"),
    [("teacher", "mine"), ("teacher", "place"), ("leader", "mine"), ("leader", "place")],
)
def test_pages_with_invitations_stay_within_ten_queries(client, who, page):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    colleague = teacher(school=place.school)
    invite(leader, work_group, colleague.email)
    if who == "leader":
        services.register(user=leader, work_group=work_group)
    client.force_login(leader if who == "leader" else place.registrations.first().user)

    assert _count(client, MINE if page == "mine" else place_url(place)) <= 10


def test_hub_staff_cancel_a_places_waiting_invitations_from_the_admin(
    client, django_capture_on_commit_callbacks
):
    work_group, place = held_place()
    leader = school_leader(school=place.school)
    waiting = invite(leader, work_group, "a@school.example")
    other_group, other_place = held_place()
    elsewhere = invite(school_leader(school=other_place.school), other_group, "b@school.example")
    client.force_login(HubMembershipFactory(hub=work_group.hub).user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:workgroups_place_changelist"),
            {"action": "cancel_invitations", "_selected_action": [place.pk, other_place.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 invitation(s) cancelled" in response.text
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert waiting.status == NominationStatus.CANCELLED
    # Another hub's place is outside the staff member's list, so its invitation stays open.
    assert elsewhere.status == NominationStatus.INVITED
    assert [m.to for m in mail.outbox] == [["a@school.example"]]
