"""A Work Group Lead's year in the browser, ending with the hub signing off the evaluation."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.models import EvaluationStatus, WorkGroupEvaluation
from projects.models import OutcomeArea
from tests.browser.conftest import sign_in
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    SchoolFactory,
    SessionFactory,
    SessionRecordFactory,
)
from tests.lead.factories import add_schools, led_group, past_session
from workgroups.models import GapTaskResponse, RecordStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery"
OUTCOME_AREAS = [
    ("teacher_learning", "Teachers' professional learning"),
    ("practice", "Practice development"),
    ("pupil_learning", "Pupils' learning"),
    ("school_approaches", "New approaches and policies across the school or department"),
]


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def year():
    """A running group with two schools, a session with a teacher's gap-task response, and one
    session just held."""
    # Transactional tests flush the migrations' rows; make the four outcome areas again.
    for order, (code, name) in enumerate(OUTCOME_AREAS, start=1):
        OutcomeArea.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    hub = HubFactory(name="Enigma Maths Hub")
    # Complete profiles, so signing in goes straight to where they were going.
    lead = LLMEFactory(
        hub=hub, user__first_name="Lena", user__last_name="Lead", user__school=SchoolFactory()
    )
    group = led_group(hub=hub, lead=lead, name="Cedar Work Group")
    people = add_schools(group, 2)
    earlier = past_session(group, days_ago=21)
    record = SessionRecordFactory(
        session=earlier, gap_task="Use a bar model in one lesson.", status=RecordStatus.FINAL
    )
    GapTaskResponse.objects.create(
        registration=people[0],
        session_record=record,
        what_i_did="Used bar models for fractions with Year 5.",
        reflection="Pupils explained their thinking more.",
    )
    held = past_session(group, days_ago=1)
    SessionFactory(work_group=group)
    manager = HubMembershipFactory(hub=hub, user__school=SchoolFactory()).user
    return {
        "lead": verified(lead.user),
        "manager": verified(manager),
        "group": group,
        "held": held,
        "earlier": earlier,
        "people": people,
    }


def test_lead_records_a_session_and_evaluates_and_the_hub_signs_off(
    page, live_server, shoot, axe_check, year
):
    sign_in(page, live_server, year["lead"].email, PASSWORD, next_url="/lead/")
    page.wait_for_url(f"{live_server.url}/lead/")
    expect(page.get_by_role("heading", name="My groups", level=1)).to_be_visible()
    expect(page.get_by_text("Attendance for 2 sessions")).to_be_visible()
    axe_check("dashboard")
    shoot("lead-dashboard")

    page.get_by_role("link", name="Cedar Work Group").click()
    expect(page.get_by_role("heading", name="Cedar Work Group")).to_be_visible()
    axe_check("group page")
    shoot("lead-group")

    take_attendance(page, year, axe_check, shoot)
    write_record(page, year, axe_check, shoot)
    read_gap_tasks(page, year, axe_check, shoot)
    add_session_with_a_mistake(page, year, axe_check, shoot)
    email_the_group(page, axe_check, shoot)
    evaluate(page, year, axe_check, shoot)

    page.get_by_role("button", name="Sign out").click()
    sign_off_in_the_admin(page, live_server, year, axe_check, shoot)


def take_attendance(page, year, axe_check, shoot):
    held = year["held"]
    page.get_by_role("link", name=f"Attendance for session {held.number}").click()
    absent = year["people"][1].user.get_full_name()
    page.get_by_role("group", name=absent).get_by_label("Apologies").check()
    axe_check("attendance")
    shoot("lead-attendance")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text(f"Attendance for session {held.number} is saved.")).to_be_visible()
    assert held.attendances.filter(status="apologies").count() == 1
    assert held.attendances.count() == len(year["people"])


def write_record(page, year, axe_check, shoot):
    held = year["held"]
    page.get_by_role("link", name=f"Session record for session {held.number}").click()
    page.get_by_label("What was done in the session").fill("Planned a lesson on equivalence.")
    page.get_by_label("Notes on practice development").fill("Teachers tried bar models.")
    page.get_by_label("Task for teachers before the next session").fill("Teach the lesson.")
    axe_check("session record")
    shoot("lead-record")
    page.get_by_role("button", name="Save and finish").click()
    expect(page.get_by_text("is finished")).to_be_visible()
    held.refresh_from_db()
    assert held.record.status == RecordStatus.FINAL
    assert held.record.gap_task == "Teach the lesson."


def read_gap_tasks(page, year, axe_check, shoot):
    earlier = year["earlier"]
    page.get_by_role("link", name=f"Gap-task responses for session {earlier.number}").click()
    expect(page.get_by_text("Used bar models for fractions with Year 5.")).to_be_visible()
    expect(page.get_by_text(year["people"][1].user.get_full_name())).to_be_visible()
    axe_check("gap-task responses")
    shoot("lead-gap-tasks")
    page.get_by_role("link", name="Back to the group").click()


def add_session_with_a_mistake(page, year, axe_check, shoot):
    group = year["group"]
    day = min(timezone.localdate() + datetime.timedelta(days=20), group.academic_year.ends_on)
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("End time").fill("15:00")
    page.get_by_role("button", name="Add the session").click()
    expect(
        page.get_by_role("alert").get_by_text("The session must end after it starts.")
    ).to_be_visible()
    axe_check("session form with errors")
    shoot("lead-session-errors")
    page.get_by_label("End time").fill("17:30")
    page.get_by_label("Venue").fill("Oakfield Primary, main hall")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_text("is added")).to_be_visible()
    added = group.sessions.get(starts_at__date=day)

    # Changing it shows what is stored, so saving without retyping works.
    page.get_by_role("link", name=f"Change session {added.number}", exact=True).click()
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())
    expect(page.get_by_label("Start time")).to_have_value("16:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(f"Session {added.number} is updated.")).to_be_visible()

    # One that overlaps it is saved only once the lead confirms.
    page.get_by_role("link", name="Add a session").click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("17:00")
    page.get_by_label("End time").fill("18:00")
    page.get_by_label("Venue").fill("Oakfield Primary, library")
    page.get_by_role("button", name="Add the session").click()
    warning = page.get_by_role("alert").filter(has_text="Check before you save")
    expect(warning).to_contain_text(f"It overlaps session {added.number}")
    axe_check("session form asking to confirm")
    shoot("lead-session-confirm")
    page.get_by_label("Save the session anyway").check()
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_text("is added")).to_be_visible()


def email_the_group(page, axe_check, shoot):
    page.get_by_role("link", name="Email the participants").click()
    page.get_by_role("button", name="Send the email").click()
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    axe_check("group email with errors")
    shoot("lead-group-email-errors")
    page.get_by_label("Subject").fill("Bring a lesson plan")
    page.get_by_label("Message").fill("Please bring a plan for a fractions lesson to session 4.")
    page.get_by_role("button", name="Send the email").click()
    expect(page.get_by_text("Your email is on its way to 4 participants.")).to_be_visible()


def evaluate(page, year, axe_check, shoot):
    page.get_by_role("link", name="Write the evaluation").click()
    for area in OutcomeArea.objects.all():
        page.get_by_role("group", name=f"Impact on {area.name.lower()}").get_by_label(
            "3. Clear impact", exact=False
        ).check()
        page.get_by_label(f"Evidence of impact on {area.name.lower()}").fill("Seen in lessons.")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft evaluation is saved.")).to_be_visible()
    # Sessions are still to come: the evaluation waits for the end of the year.
    page.get_by_role("button", name="Submit to the hub").click()
    expect(page.get_by_text("once the last session has taken place")).to_be_visible()
    shoot("lead-evaluation-too-early")
    page.get_by_role("link", name=year["group"].name).first.click()
    cancel_sessions_to_come(page, year)
    page.get_by_role("link", name="Write the evaluation").click()
    page.get_by_role("button", name="Submit to the hub").click()
    expect(page.get_by_text("Key findings: say what the group found.")).to_be_visible()
    axe_check("evaluation with errors")
    shoot("lead-evaluation-errors")
    page.get_by_label("Key findings").fill("Teachers reason aloud more; pupils explain more.")
    page.get_by_role("button", name="Submit to the hub").click()
    expect(page.get_by_text("submitted to the hub")).to_be_visible()
    evaluation = WorkGroupEvaluation.objects.get(work_group=year["group"])
    assert evaluation.status == EvaluationStatus.SUBMITTED
    page.get_by_role("link", name="Read the evaluation").click()
    axe_check("submitted evaluation")
    shoot("lead-evaluation-submitted")


def cancel_sessions_to_come(page, year):
    """The lead cancels what is left of the year, from the group's page."""
    to_come = year["group"].sessions.filter(cancelled=False, ends_at__gt=timezone.now())
    for session in to_come.order_by("starts_at"):
        page.get_by_role("link", name=f"Cancel session {session.number}", exact=True).click()
        page.get_by_role("button", name="Cancel the session").click()
        expect(page.get_by_text(f"Session {session.number} is cancelled")).to_be_visible()


def sign_off_in_the_admin(page, live_server, year, axe_check, shoot):
    changelist = "/admin/evaluations/workgroupevaluation/"
    sign_in(page, live_server, year["manager"].email, PASSWORD, next_url=changelist)
    page.wait_for_url(f"{live_server.url}{changelist}")
    axe_check("admin evaluations list")
    shoot("admin-evaluations")
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.locator("select[name=action]").select_option("sign_off")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("Signed off 1 evaluation(s)")).to_be_visible()
    axe_check("admin evaluations list after signing off")
    shoot("admin-evaluation-signed-off")
    evaluation = WorkGroupEvaluation.objects.get(work_group=year["group"])
    assert evaluation.status == EvaluationStatus.SIGNED_OFF
    assert evaluation.signed_off_by == year["manager"]


def test_action_plan_session_and_year_end_pages_are_accessible(
    page, live_server, shoot, axe_check, year
):
    from projects.models import ActivityType
    from tests.factories import ProjectFactory

    lead = year["lead"]
    support = led_group(
        hub=year["group"].hub,
        lead=lead.llme_roles.get(),
        name="Oakfield support",
        project=ProjectFactory(activity_type=ActivityType.TARGETED_SUPPORT),
    )
    add_schools(support, 1, people=1)
    past_session(support, days_ago=3)
    sign_in(page, live_server, lead.email, PASSWORD, next_url=f"/lead/groups/{support.pk}/")
    page.wait_for_url(f"**/lead/groups/{support.pk}/")

    page.get_by_role("link", name="Add a milestone").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").get_by_text("This field is required.")).to_be_visible()
    axe_check("milestone form with errors")
    page.get_by_label("What the school will achieve").fill("Daily fluency in every class")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The milestone is added")).to_be_visible()
    axe_check("support group with its action plan")
    shoot("lead-action-plan")

    page.get_by_role("link", name="Update “Daily fluency in every class”").click()
    page.get_by_label("Status").select_option("in_progress")
    axe_check("milestone progress form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("In progress")).to_be_visible()

    page.get_by_role("link", name="Close the year").click()
    axe_check("close the year")
    shoot("lead-close-year")
    page.get_by_role("button", name="Close the year").click()
    expect(page.get_by_text("The year is closed")).to_be_visible()

    page.goto(f"{live_server.url}/lead/groups/{year['group'].pk}/")
    coming = year["group"].sessions.order_by("-starts_at").first()
    page.get_by_role("link", name=f"Change session {coming.number}").click()
    axe_check("change a session")
    page.get_by_role("link", name="Back to the group").click()
    page.get_by_role("link", name=f"Cancel session {coming.number}").click()
    axe_check("cancel a session")
    shoot("lead-cancel-session")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("is cancelled; participants are told")).to_be_visible()


def test_hub_manager_returns_an_evaluation_with_a_comment(
    page, live_server, shoot, axe_check, year
):
    WorkGroupEvaluation.objects.create(
        work_group=year["group"], status=EvaluationStatus.SUBMITTED, key_findings="Done."
    )
    changelist = "/admin/evaluations/workgroupevaluation/"
    sign_in(page, live_server, year["manager"].email, PASSWORD, next_url=changelist)
    page.wait_for_url(f"**{changelist}")

    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.locator("select[name=action]").select_option("return_to_lead")
    page.get_by_role("button", name="Run").click()
    page.get_by_role("button", name="Return to the lead").click()
    expect(page.get_by_text("Please write a comment for the lead.")).to_be_visible()
    axe_check("return to the lead, with errors")
    shoot("admin-return-to-lead")
    page.get_by_label("What should the lead change?").fill("Add evidence of pupils' learning.")
    page.get_by_role("button", name="Return to the lead").click()

    expect(page.get_by_text("Returned 1 evaluation(s) to the lead.")).to_be_visible()
    evaluation = WorkGroupEvaluation.objects.get(work_group=year["group"])
    assert evaluation.status == EvaluationStatus.RETURNED
