"""A hub manager sees what needs them, reviews and signs off an evaluation, and raises a
group's places, seeing who was promoted: in a real browser, every admin page checked by axe."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import EvaluationStatus, OutcomeEvaluation, WorkGroupEvaluation
from projects.models import OutcomeArea
from tests.browser.conftest import sign_in
from tests.factories import (
    HubMembershipFactory,
    PlaceFactory,
    ProjectFactory,
    SessionFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
)
from workgroups.models import Place, PlaceStatus, WorkGroup, WorkGroupStatus

pytestmark = pytest.mark.django_db(transaction=True)


def hub_with_work_waiting():
    membership = HubMembershipFactory(hub__name="Enigma Maths Hub")
    manager = membership.user
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)
    project = ProjectFactory(title="Mastering Number at Key Stage 2")
    full = WorkGroupFactory(
        hub=membership.hub, project=project, name="Enigma KS2 North", capacity=1
    )
    PlaceFactory(work_group=full, school__name="Oak Lane Primary")
    waiting = PlaceFactory(
        work_group=full, status=PlaceStatus.WAITLISTED, school__name="Birch Hill Primary"
    )
    done = WorkGroupFactory(
        hub=membership.hub, project=project, name="Enigma KS2 South", status=WorkGroupStatus.RUNNING
    )
    SessionFactory(work_group=done, starts_at=timezone.now() - datetime.timedelta(days=30))
    evaluation = WorkGroupEvaluationFactory(
        work_group=done,
        status=EvaluationStatus.SUBMITTED,
        key_findings="Teachers planned small steps together and pupils explained more.",
    )
    for area in OutcomeArea.objects.all():
        OutcomeEvaluation.objects.create(
            evaluation=evaluation, area=area, rating=3, evidence="Lesson visits showed it."
        )
    return manager, full, waiting, evaluation


def test_hub_manager_signs_off_an_evaluation_and_raises_places(page, live_server, shoot, axe_check):
    manager, full, waiting, evaluation = hub_with_work_waiting()

    sign_in(page, live_server, manager.email, "correct horse battery", next_url="/admin/")
    page.wait_for_url(f"{live_server.url}/admin/")
    needs_you = page.locator("#needs-you")
    expect(needs_you.get_by_role("link", name="Evaluations awaiting your sign-off")).to_be_visible()
    expect(
        needs_you.get_by_role("row", name="Evaluations awaiting your sign-off 1")
    ).to_be_visible()
    axe_check("admin index with what needs you")
    shoot("admin-needs-you")

    needs_you.get_by_role("link", name="Evaluations awaiting your sign-off").click()
    page.get_by_role("link", name="Enigma KS2 South").click()
    expect(page.get_by_text("Teachers planned small steps together")).to_be_visible()
    expect(page.get_by_text("Lesson visits showed it.").first).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    axe_check("evaluation review page")
    shoot("admin-evaluation-review")

    page.get_by_role("link", name="Sign off").click()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    axe_check("sign-off form with its error")
    page.get_by_label("I have read the ratings and evidence").check()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("is signed off; its leads are told.")).to_be_visible()
    assert WorkGroupEvaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.SIGNED_OFF
    assert WorkGroup.objects.get(pk=evaluation.work_group_id).evidence_locked_at is not None
    shoot("admin-evaluation-signed-off")

    page.goto(f"{live_server.url}/admin/workgroups/workgroup/{full.pk}/change/")
    axe_check("group change page")
    page.get_by_role("link", name="Change places").click()
    page.get_by_label("Places").fill("0")
    page.get_by_role("button", name="Save places").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 1.")).to_be_visible()
    axe_check("places form with its error")
    shoot("admin-places-error")
    page.get_by_label("Places").fill("2")
    page.get_by_role("button", name="Save places").click()
    expect(
        page.get_by_text("Given a place from the waiting list: Birch Hill Primary.")
    ).to_be_visible()
    assert Place.objects.get(pk=waiting.pk).status == PlaceStatus.CONFIRMED
    axe_check("group page after raising places")
    shoot("admin-places-raised")

    page.get_by_role("link", name="Change status").click()
    page.get_by_label("New status").select_option(label="Cancelled")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_text("Say why the group is cancelled")).to_be_visible()
    axe_check("status form with its error")
    assert WorkGroup.objects.get(pk=full.pk).status != WorkGroupStatus.CANCELLED
