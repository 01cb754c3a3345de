"""A hub manager runs their hub from the admin, in a real browser."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import (
    HubMembershipFactory,
    PlaceFactory,
    ProjectFactory,
    WorkGroupFactory,
)
from workgroups.models import Place, PlaceStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_hub_manager_confirms_a_pending_place_and_never_sees_another_hub(
    page, live_server, shoot, axe_check
):
    membership = HubMembershipFactory(hub__name="Enigma Maths Hub")
    manager = membership.user
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    project = ProjectFactory(title="Mastering Number at Key Stage 2", requires_approval=True)
    group = WorkGroupFactory(hub=membership.hub, project=project, name="Enigma KS2 North")
    pending = PlaceFactory(work_group=group, status=PlaceStatus.PENDING, school__name="Oak Lane")
    WorkGroupFactory(project=project, name="Elsewhere Group")

    sign_in(page, live_server, manager.email, "correct horse battery", next_url="/admin/")
    page.wait_for_url(f"{live_server.url}/admin/")
    axe_check("admin index")
    shoot("admin-index-hub-manager")

    page.get_by_role("link", name="Groups", exact=True).click()
    expect(page.get_by_role("link", name="Enigma KS2 North")).to_be_visible()
    expect(page.get_by_text("Elsewhere Group")).to_have_count(0)
    axe_check("group list")
    shoot("admin-groups-hub-manager")

    page.get_by_role("link", name="Enigma KS2 North").click()
    expect(page.get_by_text("Oak Lane").first).to_be_visible()
    shoot("admin-group-change")

    page.goto(f"{live_server.url}/admin/workgroups/place/?status__exact=pending")
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_label("Action:").select_option(label="Confirm selected places")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 place(s) confirmed.")).to_be_visible()
    shoot("admin-place-confirmed")
    assert Place.objects.get(pk=pending.pk).status == PlaceStatus.CONFIRMED
