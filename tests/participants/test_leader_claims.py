"""Saying you lead a school is a claim: it gives no power until the school's hub or a confirmed
leader of the school confirms it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from participants import rules
from participants.models import ClaimStatus, SchoolLeaderClaim, UserRole
from participants.services import (
    LeaderClaimError,
    confirm_leader_claim,
    reject_leader_claim,
    update_profile,
)
from privacy.services import erase_user
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    NationalAdminFactory,
    RegistrationFactory,
    SchoolFactory,
    SchoolLeaderClaimFactory,
    phase,
    school_leader,
)
from tests.projects.helpers import group, teacher
from workgroups.models import Nomination

pytestmark = pytest.mark.django_db

PROFILE = reverse("participants:profile")
LEADERS = reverse("participants:school_leaders")
CLAIMS = reverse("admin:participants_schoolleaderclaim_changelist")


@pytest.fixture
def hub():
    return HubFactory(name="West Yorkshire Maths Hub", contact_email="hello@wymh.example")


@pytest.fixture
def school(hub):
    return SchoolFactory(name="Oakfield Primary", hub=hub)


def save_profile(user, *, role=UserRole.SCHOOL_LEADER, school=None):
    return update_profile(
        user=user,
        first_name=user.first_name or "Ada",
        last_name=user.last_name or "Lovelace",
        role=role,
        phases=[phase("primary")],
        school=school or user.school,
    )


def claim_of(user):
    return SchoolLeaderClaim.objects.get(user=user, status__in=["pending", "confirmed"])


# Making, moving and withdrawing a claim -------------------------------------------------------


def test_choosing_the_leader_role_makes_a_pending_claim_that_gives_no_power(school):
    user = teacher(school=school)

    save_profile(user)

    claim = claim_of(user)
    assert (claim.school, claim.status) == (school, ClaimStatus.PENDING)
    assert claim.decided_by is None
    assert not rules.is_verified_leader(user)
    assert not rules.is_verified_leader(user, school)


def test_changing_school_withdraws_the_claim_and_opens_one_for_the_new_school(school):
    user = school_leader(school=school)
    new_school = SchoolFactory()

    save_profile(user, school=new_school)

    old = SchoolLeaderClaim.objects.get(user=user, school=school)
    assert old.status == ClaimStatus.WITHDRAWN
    assert old.decided_at is not None
    assert (claim_of(user).school, claim_of(user).status) == (new_school, ClaimStatus.PENDING)
    assert not rules.is_verified_leader(user)


def test_leaving_the_leader_role_withdraws_the_claim(school):
    user = school_leader(school=school)

    save_profile(user, role=UserRole.TEACHER)

    assert SchoolLeaderClaim.objects.get(user=user).status == ClaimStatus.WITHDRAWN
    assert not rules.is_verified_leader(user)


def test_saving_an_unchanged_profile_keeps_a_confirmed_claim_and_does_not_reopen_a_rejected_one(
    school,
):
    confirmed = school_leader(school=school)
    rejected = school_leader(school=school, status=ClaimStatus.REJECTED)

    save_profile(confirmed)
    save_profile(rejected)

    assert rules.is_verified_leader(confirmed)
    assert SchoolLeaderClaim.objects.filter(user=confirmed).count() == 1
    assert list(
        SchoolLeaderClaim.objects.filter(user=rejected).values_list("status", flat=True)
    ) == [ClaimStatus.REJECTED]


def test_choosing_the_role_again_after_a_rejection_asks_again(school):
    user = school_leader(school=school, status=ClaimStatus.REJECTED)

    save_profile(user, role=UserRole.TEACHER)
    save_profile(user)

    assert claim_of(user).status == ClaimStatus.PENDING


def test_a_leader_from_before_claims_existed_asks_when_they_next_save(school):
    user = school_leader(school=school, status=None)

    save_profile(user)

    assert claim_of(user).status == ClaimStatus.PENDING


def test_erasing_an_account_withdraws_its_claim(school):
    user = school_leader(school=school)

    erase_user(user=user)

    assert SchoolLeaderClaim.objects.get(user=user).status == ClaimStatus.WITHDRAWN
    assert not rules.is_verified_leader(user)


# Deciding ------------------------------------------------------------------------------------


def test_the_schools_hub_confirms_a_claim_and_the_person_is_told(
    school, hub, django_capture_on_commit_callbacks
):
    user = school_leader(school=school, status=ClaimStatus.PENDING)
    manager = HubMembershipFactory(hub=hub).user

    with django_capture_on_commit_callbacks(execute=True):
        confirm_leader_claim(claim=claim_of(user), by=manager)

    claim = claim_of(user)
    assert (claim.status, claim.decided_by) == (ClaimStatus.CONFIRMED, manager)
    assert claim.decided_at is not None
    assert rules.is_verified_leader(user, school)
    [message] = mail.outbox
    assert message.to == [user.email]
    assert "West Yorkshire Maths Hub has confirmed that you lead Oakfield Primary" in message.body


def test_another_hubs_staff_cannot_decide_a_claim(school):
    user = school_leader(school=school, status=ClaimStatus.PENDING)
    stranger = HubMembershipFactory().user

    with pytest.raises(LeaderClaimError, match="Only West Yorkshire Maths Hub or a confirmed"):
        confirm_leader_claim(claim=claim_of(user), by=stranger)
    with pytest.raises(LeaderClaimError):
        reject_leader_claim(claim=claim_of(user), by=stranger)

    assert claim_of(user).status == ClaimStatus.PENDING


def test_a_confirmed_leader_confirms_a_colleagues_claim(school):
    leader = school_leader(school=school)
    colleague = school_leader(school=school, status=ClaimStatus.PENDING)

    confirm_leader_claim(claim=claim_of(colleague), by=leader)

    assert rules.is_verified_leader(colleague)
    assert claim_of(colleague).decided_by == leader


@pytest.mark.parametrize("who", ["pending leader", "leader elsewhere", "the claimant", "teacher"])
def test_only_the_hub_or_a_confirmed_leader_of_the_school_decides(school, who):
    claimant = school_leader(school=school, status=ClaimStatus.PENDING)
    decider = {
        "pending leader": lambda: school_leader(school=school, status=ClaimStatus.PENDING),
        "leader elsewhere": school_leader,
        "the claimant": lambda: claimant,
        "teacher": lambda: teacher(school=school),
    }[who]()

    with pytest.raises(LeaderClaimError):
        confirm_leader_claim(claim=claim_of(claimant), by=decider)
    assert claim_of(claimant).status == ClaimStatus.PENDING


def test_a_decided_claim_is_not_decided_again(school, hub):
    user = school_leader(school=school, status=ClaimStatus.PENDING)
    manager = HubMembershipFactory(hub=hub).user
    claim = reject_leader_claim(claim=claim_of(user), by=manager, reason="Not on our records.")

    with pytest.raises(LeaderClaimError, match="no longer waiting: it is not confirmed"):
        confirm_leader_claim(claim=claim, by=manager)

    claim.refresh_from_db()
    assert (claim.status, claim.reason) == (ClaimStatus.REJECTED, "Not on our records.")
    assert not rules.is_verified_leader(user)


# What the person sees -------------------------------------------------------------------------


def test_profile_says_the_claim_is_waiting_for_the_hub(client, school):
    user = teacher(school=school)
    client.force_login(user)

    response = client.post(
        PROFILE,
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "role": UserRole.SCHOOL_LEADER,
            "phases": [phase("primary").pk],
            "school_query": "",
            "school": school.pk,
        },
        follow=True,
    )

    html = response.content.decode()
    assert "Your school leader role is waiting for West Yorkshire Maths Hub to confirm it." in html
    assert "you cannot name colleagues" in html
    assert claim_of(user).status == ClaimStatus.PENDING


def test_profile_says_when_the_role_is_confirmed_or_not(client, school, hub):
    confirmed = school_leader(school=school)
    rejected = school_leader(school=school, status=ClaimStatus.PENDING)
    reject_leader_claim(
        claim=claim_of(rejected), by=HubMembershipFactory(hub=hub).user, reason="Not our records."
    )

    client.force_login(confirmed)
    confirmed_html = client.get(PROFILE).content.decode()
    client.force_login(rejected)
    rejected_html = client.get(PROFILE).content.decode()

    assert "You are a confirmed school leader of Oakfield Primary" in confirmed_html
    assert LEADERS in confirmed_html
    assert (
        "West Yorkshire Maths Hub did not confirm your school leader role at Oakfield Primary: "
        "Not our records." in rejected_html
    )
    assert "hello@wymh.example" in rejected_html


def test_teachers_profile_says_nothing_about_leading(client, school):
    client.force_login(teacher(school=school))

    assert "Your school leader role" not in client.get(PROFILE).content.decode()


def test_an_unconfirmed_leader_cannot_see_the_schools_place_or_name_colleagues(client, school):
    work_group = group()
    place = RegistrationFactory(place__work_group=work_group, place__school=school).place
    client.force_login(school_leader(school=school, status=ClaimStatus.PENDING))

    page = client.get(work_group.get_absolute_url())
    place_page = client.get(reverse("workgroups:place", args=[place.pk]))
    naming = client.post(
        reverse("workgroups:nominate", args=[work_group.pk]),
        {"email": "a@b.example", "role": work_group.project.roles.get().pk},
    )

    assert not page.context["show_roster"]
    assert "It is waiting for West Yorkshire Maths Hub to confirm it." in page.content.decode()
    assert place_page.status_code == 404
    assert naming.status_code == 404
    assert not Nomination.objects.exists()


# The confirmed leaders' page -----------------------------------------------------------------


def test_a_confirmed_leader_confirms_a_colleague_on_the_site(client, school):
    leader = school_leader(school=school)
    colleague = school_leader(school=school, status=ClaimStatus.PENDING, first_name="Grace")
    client.force_login(leader)

    page = client.get(LEADERS).content.decode()
    response = client.post(
        reverse("participants:confirm_leader", args=[claim_of(colleague).pk]), follow=True
    )

    assert "Grace" in page
    assert 'Confirm<span class="visually-hidden"> Grace' in page
    assert f"{colleague} is confirmed as a school leader." in response.content.decode()
    assert rules.is_verified_leader(colleague)


def test_a_confirmed_leader_rejects_a_claim_on_the_site(client, school):
    leader = school_leader(school=school)
    colleague = school_leader(school=school, status=ClaimStatus.PENDING)
    client.force_login(leader)

    client.post(reverse("participants:reject_leader", args=[claim_of(colleague).pk]))

    claim = SchoolLeaderClaim.objects.get(user=colleague)
    assert (claim.status, claim.decided_by) == (ClaimStatus.REJECTED, leader)


def test_the_leaders_page_does_not_exist_for_unconfirmed_leaders_and_teachers(client, school):
    claimant = school_leader(school=school, status=ClaimStatus.PENDING)
    other = school_leader(school=school, status=ClaimStatus.PENDING)
    confirm = reverse("participants:confirm_leader", args=[claim_of(other).pk])

    for user in (claimant, teacher(school=school)):
        client.force_login(user)
        assert client.get(LEADERS).status_code == 404
        assert client.post(confirm).status_code == 404
    assert claim_of(other).status == ClaimStatus.PENDING


def test_a_leader_cannot_decide_another_schools_claim_on_the_site(client, school):
    elsewhere = school_leader(status=ClaimStatus.PENDING)
    client.force_login(school_leader(school=school))

    response = client.post(reverse("participants:confirm_leader", args=[claim_of(elsewhere).pk]))

    assert response.status_code == 404
    assert claim_of(elsewhere).status == ClaimStatus.PENDING


# The hub's queue in the admin ----------------------------------------------------------------


def run_action(client, action, claims):
    data = {"action": action, ACTION_CHECKBOX_NAME: [claim.pk for claim in claims]}
    response = client.post(CLAIMS, data)
    return [m.message for m in get_messages(response.wsgi_request)]


@pytest.fixture
def queue(school, hub):
    """A pending claim at the hub's school and one at another hub's school."""
    return {
        "ours": claim_of(school_leader(school=school, status=ClaimStatus.PENDING)),
        "theirs": claim_of(
            school_leader(school=SchoolFactory(name="Faraway Academy"), status="pending")
        ),
        "manager": HubMembershipFactory(hub=hub).user,
    }


def test_hub_manager_lists_and_confirms_only_their_hubs_claims(client, queue):
    client.force_login(queue["manager"])

    listing = client.get(CLAIMS, {"status__exact": "pending"})
    reported = run_action(client, "confirm_claims", [queue["ours"], queue["theirs"]])

    assert list(listing.context["cl"].result_list) == [queue["ours"]]
    assert "Faraway Academy" not in listing.content.decode()
    assert reported == ["1 school leader(s) confirmed."]
    queue["ours"].refresh_from_db()
    queue["theirs"].refresh_from_db()
    assert (queue["ours"].status, queue["ours"].decided_by) == (
        ClaimStatus.CONFIRMED,
        queue["manager"],
    )
    assert queue["theirs"].status == ClaimStatus.PENDING


def test_hub_manager_rejects_a_claim(client, queue):
    client.force_login(queue["manager"])

    reported = run_action(client, "reject_claims", [queue["ours"]])

    queue["ours"].refresh_from_db()
    assert reported == ["1 claim(s) rejected."]
    assert queue["ours"].status == ClaimStatus.REJECTED


def test_another_hubs_claim_does_not_exist_for_a_hub_manager(client, queue):
    client.force_login(queue["manager"])
    url = reverse("admin:participants_schoolleaderclaim_change", args=[queue["theirs"].pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    [message] = get_messages(response.wsgi_request)
    assert "doesn\u2019t exist" in message.message


def test_a_decided_claim_is_reported_and_left_alone(client, queue):
    client.force_login(queue["manager"])
    run_action(client, "confirm_claims", [queue["ours"]])

    reported = run_action(client, "reject_claims", [queue["ours"]])

    queue["ours"].refresh_from_db()
    assert queue["ours"].status == ClaimStatus.CONFIRMED
    assert "no longer waiting: it is confirmed" in reported[-1]


def test_claims_are_not_added_edited_or_deleted_in_the_admin(client, queue):
    client.force_login(queue["manager"])
    url = reverse("admin:participants_schoolleaderclaim_change", args=[queue["ours"].pk])

    page = client.get(url).content.decode()

    assert 'name="_save"' not in page
    assert client.get(reverse("admin:participants_schoolleaderclaim_add")).status_code == 403
    assert client.post(url, {"status": "confirmed"}).status_code == 403
    queue["ours"].refresh_from_db()
    assert queue["ours"].status == ClaimStatus.PENDING


def test_national_team_sees_and_decides_every_hubs_claims(client, queue):
    client.force_login(NationalAdminFactory())

    listing = client.get(CLAIMS)
    reported = run_action(client, "confirm_claims", [queue["theirs"]])

    assert set(listing.context["cl"].result_list) == {queue["ours"], queue["theirs"]}
    assert reported == ["1 school leader(s) confirmed."]


def test_a_confirmed_claim_factory_and_rule_agree(school):
    claim = SchoolLeaderClaimFactory(user__school=school)

    assert rules.is_verified_leader(claim.user, school)
    assert not rules.is_verified_leader(claim.user, SchoolFactory())
