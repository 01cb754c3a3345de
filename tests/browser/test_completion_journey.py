"""A lead closes their group's year, sees who completed, and changes one person's outcome."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import School, User
from tests.browser.conftest import sign_in
from tests.factories import HubFactory, LLMEFactory, SchoolFactory
from tests.lead.factories import add_schools, led_group, past_session
from workgroups.models import Attendance, AttendanceStatus, Completion, PlaceStatus, Registration

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery"


@pytest.fixture
def finished():
    """A running group whose sessions are over: Ada (Oak) attended all three, Ben (Oak) one,
    Cat (Elm) one."""
    hub = HubFactory(name="Enigma Maths Hub")
    lead = LLMEFactory(
        hub=hub, user__first_name="Lena", user__last_name="Lead", user__school=SchoolFactory()
    )
    EmailAddress.objects.create(user=lead.user, email=lead.user.email, verified=True, primary=True)
    group = led_group(hub=hub, lead=lead, name="Cedar Work Group")
    people = []
    for school, names in (("Oak Primary School", ("Ada", "Ben")), ("Elm Primary School", ("Cat",))):
        registrations = add_schools(group, 1, people=len(names))
        School.objects.filter(pk=registrations[0].place.school_id).update(name=school)
        for registration, name in zip(registrations, names, strict=True):
            User.objects.filter(pk=registration.user_id).update(
                first_name=name, last_name="Teacher"
            )
        people += registrations
    joined = timezone.now() - datetime.timedelta(days=60)
    Registration.objects.filter(work_group=group).update(created_at=joined)
    sessions = [past_session(group, days_ago=days) for days in (30, 20, 10)]
    ada, ben, cat = people
    marks = [(s, ada) for s in sessions] + [(sessions[0], ben), (sessions[1], cat)]
    Attendance.objects.bulk_create(
        Attendance(session=s, registration=r, status=AttendanceStatus.PRESENT) for s, r in marks
    )
    return {"lead": lead.user, "group": group, "ada": ada, "ben": ben, "cat": cat}


def test_lead_closes_the_year_and_changes_an_outcome_with_a_reason(
    page, live_server, shoot, axe_check, finished
):
    group, cat = finished["group"], finished["cat"]
    sign_in(page, live_server, finished["lead"].email, PASSWORD, next_url="/lead/")
    page.get_by_role("link", name="Cedar Work Group").first.click()
    page.get_by_role("link", name="Close the year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the year for Cedar Work Group")
    axe_check("close the year")
    page.get_by_role("button", name="Close the year").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who completed Cedar Work Group")
    expect(page.get_by_text("The year is closed: 1 school completed the group.")).to_be_visible()
    rows = page.locator("li[id^=person-]")
    expect(rows.filter(has_text="Ada Teacher")).to_contain_text("3 of 3")
    expect(rows.filter(has_text="Ada Teacher")).to_contain_text("Completed")
    expect(rows.filter(has_text="Cat Teacher")).to_contain_text("1 of 3")
    expect(rows.filter(has_text="Cat Teacher")).to_contain_text("Did not complete")
    elm = page.get_by_role("heading", name="Elm Primary School")
    expect(elm).to_contain_text("Did not complete")
    expect(page.get_by_role("heading", name="Oak Primary School")).to_contain_text("Completed")
    axe_check("who completed")
    shoot("completion-closed")

    cat_row = rows.filter(has_text="Cat Teacher")
    cat_row.locator("summary").click()
    cat_row.get_by_label("Outcome for Cat Teacher").select_option(label="Completed")
    cat_row.get_by_role("button", name="Save the outcome").click()  # no reason yet

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Say why you are changing what attendance said.")
    reason = page.get_by_label("Why Cat Teacher's outcome changes")
    expect(reason).to_have_attribute("aria-invalid", "true")
    axe_check("a missing reason")
    shoot("completion-error")
    cat.refresh_from_db()
    assert cat.completion == Completion.NOT_COMPLETED

    reason.fill("Long-term illness; caught up with every session's materials.")
    rows.filter(has_text="Cat Teacher").get_by_role("button", name="Save the outcome").click()

    expect(page.get_by_text("Cat Teacher's outcome is now: completed.")).to_be_visible()
    cat_row = rows.filter(has_text="Cat Teacher")
    expect(cat_row).to_contain_text("Changed by the lead")
    expect(cat_row).to_contain_text("Long-term illness")
    expect(page.get_by_role("heading", name="Elm Primary School")).to_contain_text("Completed")
    axe_check("after the override")
    shoot("completion-overridden")
    cat.refresh_from_db()
    cat.place.refresh_from_db()
    assert (cat.completion, cat.place.status) == (Completion.COMPLETED, PlaceStatus.COMPLETED)
    assert Registration.objects.get(pk=finished["ben"].pk).completion == Completion.NOT_COMPLETED
    group.refresh_from_db()
    assert group.status == "completed"
