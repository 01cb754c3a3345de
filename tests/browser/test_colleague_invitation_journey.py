"""A confirmed school leader names a colleague, cancels the invitation, names them again; the
colleague signs in and accepts: in a real browser, every page checked by axe."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import HubFactory, SchoolFactory, school_leader
from tests.projects.helpers import PASSWORD, group, running_project, teacher
from workgroups import services
from workgroups.models import Nomination, NominationStatus, Registration

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def build_world():
    hub = HubFactory(name="West Yorkshire Maths Hub", contact_email="hello@wymh.example")
    school = SchoolFactory(name="Oakfield Primary", hub=hub)
    work_group = group(
        project=running_project(title="Number Sense", roles=[("Lead participant", 2)]),
        hub=hub,
        name="Leeds Number Sense Work Group",
        sessions=2,
    )
    leader = school_leader(school=school, first_name="Amira", last_name="Khan")
    EmailAddress.objects.create(user=leader, email=leader.email, verified=True, primary=True)
    services.register(user=leader, work_group=work_group)
    colleague = teacher(school=school, verified=True, first_name="Ben", last_name="Okoro")
    return work_group, leader, colleague


def as_user(page, live_server, user, next_url):
    page.context.clear_cookies()
    sign_in(page, live_server, user.email, PASSWORD, next_url)
    page.wait_for_url(f"**{next_url}")


def look(page, shoot, axe_check, name):
    axe_check(name)
    shoot(f"colleague-invitation-{name}")


def name_colleague(page, email):
    page.get_by_label("Colleague's email address").fill(email)
    page.get_by_role("button", name="Name colleague").click()
    expect(page.get_by_text(f"We have invited {email}.")).to_be_visible()


def test_colleague_invitation_journey(page, live_server, shoot, axe_check):
    work_group, leader, colleague = build_world()
    invitations = page.get_by_role("list", name="Invitations to this place")

    # Amira names Ben; the place page lists the invitation, with when it lapses.
    as_user(page, live_server, leader, work_group.get_absolute_url())
    name_colleague(page, colleague.email)
    row = invitations.get_by_role("listitem").filter(has_text=colleague.email)
    expect(row).to_contain_text("Waiting for an answer: lapses on")
    look(page, shoot, axe_check, "place-invited")

    # She cancels it: it shows as cancelled, and Ben is not invited any more.
    row.get_by_role("button", name=f"Cancel invitation to {colleague.email}").click()
    expect(page.get_by_text(f"The invitation to {colleague.email} is cancelled")).to_be_visible()
    expect(invitations.get_by_role("listitem").filter(has_text=colleague.email)).to_contain_text(
        "Cancelled"
    )
    expect(page.get_by_text(f"{colleague.email} (invited)")).to_have_count(0)
    look(page, shoot, axe_check, "place-cancelled")

    # She names him again from the group page.
    page.goto(f"{live_server.url}{work_group.get_absolute_url()}")
    name_colleague(page, colleague.email)
    expect(page.get_by_text(f"{colleague.email} (invited)")).to_be_visible()
    assert Nomination.objects.filter(status=NominationStatus.INVITED).count() == 1

    # Amira's registrations page lists her school's invitations too.
    page.goto(f"{live_server.url}/groups/mine/")
    school_list = page.get_by_role("list", name="Invitations to your school's places")
    expect(
        school_list.get_by_role("listitem").filter(has_text="Waiting for an answer")
    ).to_contain_text(colleague.email)
    look(page, shoot, axe_check, "leader-mine")

    # Ben signs in and sees the open invitation, and the cancelled one, then accepts.
    as_user(page, live_server, colleague, "/groups/mine/")
    invitation = page.locator("article", has_text="has named you as Lead participant")
    expect(invitation).to_contain_text("Amira Khan")
    expect(invitation).to_contain_text("This invitation lapses on")
    expect(page.get_by_text("Invitations that lapsed or were cancelled")).to_be_visible()
    look(page, shoot, axe_check, "invitee-mine")
    invitation.get_by_role("button", name=f"Accept the invitation to {work_group.name}").click()
    expect(page.get_by_text(f"You are registered for {work_group.name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Invitations waiting for your answer")).to_have_count(0)
    expect(page.get_by_text("Amira Khan can name colleagues")).to_be_visible()
    look(page, shoot, axe_check, "accepted")

    assert Registration.objects.get(user=colleague).place.school.name == "Oakfield Primary"
    assert Nomination.objects.filter(status=NominationStatus.ACCEPTED).count() == 1
