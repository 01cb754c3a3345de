"""Nothing people type widens a page past a phone's screen: a lead reading a teacher's
between-session answer written as one unbroken string, and the teacher's own pages."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from projects.models import OutcomeArea
from tests.browser.conftest import VIEWPORTS, sign_in
from tests.factories import HubFactory, LLMEFactory, SchoolFactory, SessionRecordFactory
from tests.lead.factories import add_schools, led_group, past_session
from workgroups.models import GapTaskResponse, RecordStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery"
UNBROKEN = "https://example.org/" + "a" * 3000
LONG_NAME = "Trigonometry" * 12  # 144 characters, one word


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def world():
    for order, code in enumerate(["teacher_learning", "practice"], start=1):
        OutcomeArea.objects.get_or_create(code=code, defaults={"name": code, "order": order})
    hub = HubFactory()
    lead = LLMEFactory(hub=hub, user__first_name="Lena", user__school=SchoolFactory())
    group = led_group(hub=hub, lead=lead, name=LONG_NAME)
    (registration, *_rest) = add_schools(group, 1)
    session = past_session(group, days_ago=7, venue=UNBROKEN[:300])
    record = SessionRecordFactory(session=session, gap_task=UNBROKEN, status=RecordStatus.FINAL)
    GapTaskResponse.objects.create(
        registration=registration, session_record=record, what_i_did=UNBROKEN, reflection=UNBROKEN
    )
    teacher = registration.user
    teacher.first_name = LONG_NAME[:100]
    teacher.save(update_fields=["first_name"])
    return {
        "lead": verified(lead.user),
        "teacher": verified(teacher),
        "group": group,
        "session": session,
    }


def test_long_unbroken_text_wraps_on_a_phone(page, live_server, world, shoot):
    page.set_viewport_size(VIEWPORTS["phone"])
    session, group = world["session"], world["group"]
    sign_in(page, live_server, world["lead"].email, PASSWORD, next_url="/lead/")
    for url in (
        "/lead/",
        reverse("lead:group", args=[group.pk]),
        reverse("lead:gap_tasks", args=[session.pk]),
    ):
        page.goto(f"{live_server.url}{url}")
        assert fits_the_screen(page), url
    shoot("lead-gap-tasks-long-text")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, world["teacher"].email, PASSWORD, next_url="/groups/mine/")
    for url in (
        reverse("workgroups:my_registrations"),
        group.get_absolute_url(),
        reverse("workgroups:session", args=[session.pk]),
    ):
        page.goto(f"{live_server.url}{url}")
        assert fits_the_screen(page), url
