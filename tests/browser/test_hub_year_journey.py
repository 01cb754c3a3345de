"""A hub manager's side of the year, in a real browser: cancelling a group with a reason, and
copying groups into next year as drafts whose sessions fall on the same weekdays."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import (
    AcademicYearFactory,
    HubMembershipFactory,
    LLMEFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SessionFactory,
    WorkGroupFactory,
)
from workgroups.models import Place, PlaceStatus, WorkGroup, WorkGroupStatus

pytestmark = pytest.mark.django_db(transaction=True)


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_hub_manager_cancels_a_group_and_copies_groups_into_next_year(
    page, live_server, shoot, axe_check
):
    membership = HubMembershipFactory(hub__name="Enigma Maths Hub")
    manager, hub = membership.user, membership.hub
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    last, this = AcademicYearFactory(start_year=2030), AcademicYearFactory(start_year=2031)
    project = ProjectFactory(title="Mastering Number at Key Stage 2")
    project.years.add(last, this)
    lead = LLMEFactory(hub=hub, user__first_name="Ada", user__last_name="Lovelace")

    doomed = WorkGroupFactory(hub=hub, project=project, academic_year=last, name="Enigma South")
    teacher = RegistrationFactory(place=PlaceFactory(work_group=doomed, school__name="Oak Lane"))
    north = WorkGroupFactory(
        hub=hub,
        project=project,
        academic_year=last,
        name="Enigma KS2 North",
        status=WorkGroupStatus.COMPLETED,
    )
    WorkGroupFactory(
        hub=hub,
        project=project,
        academic_year=last,
        name="Enigma KS2 East",
        status=WorkGroupStatus.COMPLETED,
    )
    north.leads.add(lead)
    for day in (at(2030, 10, 15, 16, 0), at(2030, 11, 12, 16, 0), at(2031, 2, 4, 16, 0)):
        SessionFactory(work_group=north, starts_at=day, ends_at=day + datetime.timedelta(hours=2))

    sign_in(page, live_server, manager.email, "correct horse battery", next_url="/admin/")
    page.wait_for_url(f"{live_server.url}/admin/")

    # Cancel a group: a reason is needed, and its schools are told it.
    page.goto(f"{live_server.url}/admin/workgroups/workgroup/{doomed.pk}/change/")
    page.get_by_role("link", name="Change status").click()
    page.get_by_label("New status").select_option(label="Cancelled")
    page.get_by_role("button", name="Change status").click()
    expect(
        page.get_by_text("Say why the group is cancelled: its schools are told.")
    ).to_be_visible()
    assert WorkGroup.objects.get(pk=doomed.pk).status != WorkGroupStatus.CANCELLED
    axe_check("status form with an error")
    shoot("admin-cancel-needs-reason")

    page.get_by_label("New status").select_option(label="Cancelled")
    page.get_by_label("Reason").fill("Our venue closed for building work.")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Enigma South is now cancelled.")).to_be_visible()
    expect(page.get_by_text("Our venue closed for building work.")).to_be_visible()
    shoot("admin-group-cancelled")
    assert Place.objects.get(pk=teacher.place_id).status == PlaceStatus.WITHDRAWN
    [told] = [m for m in mail.outbox if teacher.user.email in m.to]
    assert "Our venue closed for building work." in told.body

    # Copy two groups into next year.
    page.goto(f"{live_server.url}/admin/workgroups/workgroup/")
    for name in ("Enigma KS2 North", "Enigma KS2 East"):
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
        row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Copy to next year (as drafts)")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_role("heading", name="Copy groups to next year")).to_be_visible()
    expect(page.get_by_label("Copy into:")).to_have_value("")
    axe_check("copy confirmation")
    shoot("admin-copy-confirm")

    page.get_by_role("button", name="Copy the groups").click()
    expect(page.get_by_text("Copied 2 group(s) as drafts")).to_be_visible()
    axe_check("groups after copying")
    shoot("admin-copied")

    copy = WorkGroup.objects.get(copied_from=north)
    assert copy.academic_year == this
    assert copy.status == WorkGroupStatus.DRAFT
    page.goto(f"{live_server.url}/admin/workgroups/workgroup/{copy.pk}/change/")
    expect(page.locator(".field-status_with_link")).to_contain_text("Draft")
    expect(page.get_by_text("Ada Lovelace").first).to_be_visible()
    sessions = list(copy.sessions.order_by("starts_at"))
    assert [timezone.localtime(s.starts_at).strftime("%A %H:%M") for s in sessions] == [
        "Tuesday 16:00"
    ] * 3
    # The admin shows each session's date: 52 weeks on, the same Tuesdays.
    for shown in ("14 Oct 2031, 4 p.m.", "11 Nov 2031, 4 p.m.", "3 Feb 2032, 4 p.m."):
        expect(page.get_by_text(shown).first).to_be_visible()
    # No axe check here, as in the admin journey: the group's change page has Django's select2
    # autocomplete widgets (leads, venue school), which axe faults.
    shoot("admin-copied-draft")
