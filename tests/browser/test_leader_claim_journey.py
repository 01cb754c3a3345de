"""A teacher says they lead their school, waits for their hub to confirm it, then names a
colleague, who accepts the invitation: in a real browser, every site page checked by axe."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from participants.models import ClaimStatus, SchoolLeaderClaim
from tests.browser.conftest import sign_in
from tests.factories import HubFactory, HubMembershipFactory, SchoolFactory, school_leader
from tests.projects.helpers import PASSWORD, group, running_project, teacher
from workgroups.models import Nomination, NominationStatus, Registration

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WAITING = "Your school leader role is waiting for West Yorkshire Maths Hub to confirm it."


def build_world():
    hub = HubFactory(name="West Yorkshire Maths Hub", contact_email="hello@wymh.example")
    school = SchoolFactory(name="Oakfield Primary", hub=hub)
    work_group = group(
        project=running_project(title="Number Sense", roles=[("Lead participant", 2)]),
        hub=hub,
        name="Leeds Number Sense Work Group",
        sessions=2,
    )
    manager = HubMembershipFactory(hub=hub, user__first_name="Sam", user__last_name="Taylor").user
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    return {
        "group": work_group,
        "manager": manager,
        "leader": teacher(school=school, verified=True, first_name="Amira", last_name="Khan"),
        "colleague": teacher(school=school, verified=True, first_name="Ben", last_name="Okoro"),
        "deputy": school_leader(
            school=school, status=ClaimStatus.PENDING, first_name="Chloe", last_name="Patel"
        ),
    }


def as_user(page, live_server, user, next_url):
    page.context.clear_cookies()
    sign_in(page, live_server, user.email, PASSWORD, next_url)
    page.wait_for_url(f"**{next_url}")


def look(page, shoot, axe_check, name):
    axe_check(name)
    shoot(f"leader-claim-{name}")


def test_leader_claim_journey(page, live_server, shoot, axe_check):
    world = build_world()
    work_group, leader, colleague = world["group"], world["leader"], world["colleague"]
    group_url = work_group.get_absolute_url()

    # Amira says she leads her school: the profile says it waits for the hub.
    as_user(page, live_server, leader, "/me/profile/")
    page.get_by_label("School leader").check()
    page.get_by_role("button", name="Save your profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_text(WAITING)).to_be_visible()
    look(page, shoot, axe_check, "profile-waiting")

    # She registers herself, but the group page says why she cannot name colleagues yet.
    page.goto(f"{live_server.url}{group_url}")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/groups/mine/")
    page.goto(f"{live_server.url}{group_url}")
    expect(page.get_by_role("heading", name="Naming colleagues")).to_be_visible()
    expect(
        page.get_by_text("It is waiting for West Yorkshire Maths Hub to confirm it.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Name colleague")).to_have_count(0)
    look(page, shoot, axe_check, "group-waiting")

    # The hub manager confirms the claim from the admin's queue.
    as_user(page, live_server, world["manager"], "/admin/")
    page.goto(f"{live_server.url}/admin/participants/schoolleaderclaim/?status__exact=pending")
    row = page.locator("#result_list tbody tr", has_text=leader.email)
    expect(row).to_have_count(1)
    axe_check("admin claims queue")
    shoot("leader-claim-admin-queue")
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Confirm selected school leaders")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 school leader(s) confirmed.")).to_be_visible()
    shoot("leader-claim-admin-confirmed")
    assert SchoolLeaderClaim.objects.get(user=leader).status == ClaimStatus.CONFIRMED

    # Amira, now confirmed, confirms a colleague who also says she leads the school.
    as_user(page, live_server, leader, "/me/profile/")
    expect(
        page.get_by_text("You are a confirmed school leader of Oakfield Primary")
    ).to_be_visible()
    page.get_by_role("link", name="Colleagues who say they lead Oakfield Primary").click()
    expect(page.get_by_role("heading", name="Chloe Patel")).to_be_visible()
    look(page, shoot, axe_check, "school-leaders")
    page.get_by_role("button", name="Confirm Chloe Patel as a leader").click()
    expect(page.get_by_text("Chloe Patel is confirmed as a school leader.")).to_be_visible()
    assert SchoolLeaderClaim.objects.get(user=world["deputy"]).status == ClaimStatus.CONFIRMED

    # Now Amira names Ben; he is invited, not registered.
    page.goto(f"{live_server.url}{group_url}")
    expect(page.get_by_role("heading", name="Name a colleague")).to_be_visible()
    look(page, shoot, axe_check, "group-confirmed")
    page.get_by_label("Colleague's email address").fill(colleague.email)
    page.get_by_role("button", name="Name colleague").click()
    expect(page.get_by_text(f"We have invited {colleague.email}.")).to_be_visible()
    expect(page.get_by_text(f"{colleague.email} (invited)")).to_be_visible()
    look(page, shoot, axe_check, "place-invited")
    assert not Registration.objects.filter(user=colleague).exists()

    # Ben sees the invitation on his registrations page and accepts it.
    as_user(page, live_server, colleague, "/groups/mine/")
    invitation = page.locator("article", has_text="has named you as Lead participant")
    expect(invitation).to_contain_text("Amira Khan")
    look(page, shoot, axe_check, "invitation")
    invitation.get_by_role("button", name=f"Accept the invitation to {work_group.name}").click()
    expect(page.get_by_text(f"You are registered for {work_group.name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Invitations waiting for your answer")).to_have_count(0)
    look(page, shoot, axe_check, "invitation-accepted")

    registration = Registration.objects.get(user=colleague)
    assert registration.place.school.name == "Oakfield Primary"
    assert Nomination.objects.get().status == NominationStatus.ACCEPTED
