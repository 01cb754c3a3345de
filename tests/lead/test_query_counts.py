"""Every lead page issues the same number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import OutcomeEvaluation, WorkGroupEvaluation
from projects.models import ActivityType, OutcomeArea
from tests.factories import ProjectFactory, SessionFactory, SessionRecordFactory
from tests.lead.factories import add_schools, led_group, past_session
from workgroups.models import Attendance, GapTaskResponse, Milestone

pytestmark = pytest.mark.django_db


def grow(group, schools):
    """Add schools with people, held sessions with attendance, records and responses."""
    registrations = add_schools(group, schools)
    for days_ago in (30, 20):
        session = past_session(group, days_ago=days_ago)
        Attendance.objects.bulk_create(
            Attendance(session=session, registration=r) for r in registrations
        )
        record = SessionRecordFactory(session=session)
        GapTaskResponse.objects.bulk_create(
            GapTaskResponse(registration=r, session_record=record, what_i_did="Taught it.")
            for r in registrations
        )
    SessionFactory(work_group=group)
    if group.project.activity_type == ActivityType.TARGETED_SUPPORT:
        Milestone.objects.bulk_create(
            Milestone(work_group=group, term=term, description=f"Step {n}")
            for n, term in enumerate(["short", "medium", "long"] * schools)
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def setup(client, hub, lead, group):
    """The group, its first held session, and a client signed in as its lead."""
    client.force_login(lead.user)
    first = past_session(group, days_ago=40)
    SessionRecordFactory(session=first, gap_task="Try it.")
    evaluation = WorkGroupEvaluation.objects.create(work_group=group)
    OutcomeEvaluation.objects.bulk_create(
        OutcomeEvaluation(evaluation=evaluation, area=area, rating=2)
        for area in OutcomeArea.objects.all()
    )
    return {"group": group, "session": first}


PAGES = {
    "group": lambda s: reverse("lead:group", args=[s["group"].pk]),
    "roster csv": lambda s: reverse("lead:roster_csv", args=[s["group"].pk]),
    "attendance": lambda s: reverse("lead:attendance", args=[s["session"].pk]),
    "record": lambda s: reverse("lead:record", args=[s["session"].pk]),
    "gap tasks": lambda s: reverse("lead:gap_tasks", args=[s["session"].pk]),
    "evaluation": lambda s: reverse("lead:evaluation", args=[s["group"].pk]),
    "close the year": lambda s: reverse("lead:close_year", args=[s["group"].pk]),
    "change session": lambda s: reverse("lead:session_edit", args=[s["session"].pk]),
}


@pytest.mark.parametrize("name", PAGES)
def test_group_pages_cost_the_same_queries_for_a_bigger_group(client, setup, name):
    url = PAGES[name](setup)
    grow(setup["group"], 1)
    client.get(url)  # warm per-process caches before counting
    small = count_queries(client, url)

    grow(setup["group"], 8)
    large = count_queries(client, url)

    assert large == small


def test_dashboard_costs_the_same_queries_for_more_groups(client, hub, lead, setup):
    url = reverse("lead:dashboard")
    grow(setup["group"], 1)
    client.get(url)
    small = count_queries(client, url)

    for _ in range(4):
        grow(led_group(hub=hub, lead=lead), 3)
    large = count_queries(client, url)

    assert len(client.get(url).context["current_years"][0][1]) == 5
    assert large == small


def test_action_plan_pages_cost_the_same_queries_for_a_longer_plan(client, hub, lead):
    client.force_login(lead.user)
    support = led_group(
        hub=hub, lead=lead, project=ProjectFactory(activity_type=ActivityType.TARGETED_SUPPORT)
    )
    grow(support, 1)
    milestone = support.milestones.first()
    urls = [
        reverse("lead:group", args=[support.pk]),
        reverse("lead:milestone_add", args=[support.pk]),
        reverse("lead:milestone_edit", args=[milestone.pk]),
    ]
    for url in urls:
        client.get(url)
    small = [count_queries(client, url) for url in urls]

    grow(support, 6)
    large = [count_queries(client, url) for url in urls]

    assert large == small
