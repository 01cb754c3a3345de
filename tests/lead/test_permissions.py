"""Who may use each page and action of the lead area: one matrix of roles and URLs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import ActivityType
from tests.factories import ProjectFactory, SessionFactory
from tests.lead.factories import led_group, past_session
from workgroups.models import Milestone, MilestoneTerm

pytestmark = pytest.mark.django_db

ROLES = [
    "teacher",
    "other group's lead",
    "this group's lead",
    "other hub's staff",
    "this hub's staff",
    "national team",
]
ALLOWED = {"this group's lead", "this hub's staff", "national team"}


@pytest.fixture
def targets(hub, lead, group, registrations):
    held = past_session(group)
    coming = SessionFactory(work_group=group)
    support = led_group(
        hub=hub, lead=lead, project=ProjectFactory(activity_type=ActivityType.TARGETED_SUPPORT)
    )
    milestone = Milestone.objects.create(
        work_group=support, term=MilestoneTerm.SHORT, description="Fluency every day"
    )
    return {
        "group": group.pk,
        "held": held.pk,
        "coming": coming.pk,
        "support": support.pk,
        "milestone": milestone.pk,
        "registrations": [r.pk for r in registrations],
    }


def session_data():
    day = timezone.localdate() + datetime.timedelta(days=30)
    return {
        "date": day.isoformat(),
        "starts": "10:00",
        "ends": "12:00",
        "mode": "face_to_face",
        "focus": "plan",
        "venue": "Main hall",
    }


def attendance_data(t):
    data = {"attendance-TOTAL_FORMS": len(t["registrations"]), "attendance-INITIAL_FORMS": 0}
    for n, pk in enumerate(t["registrations"]):
        data[f"attendance-{n}-registration"] = pk
        data[f"attendance-{n}-status"] = "present"
    return data


# (URL name, which object the URL takes, POST data or None for GET only)
PAGES = [
    ("dashboard", None, None),
    ("group", "group", None),
    ("roster_csv", "group", None),
    ("group_email", "group", lambda t: {"subject": "Bring a plan", "message": "For fractions."}),
    ("session_add", "group", lambda t: session_data()),
    ("session_edit", "coming", lambda t: session_data()),
    ("session_cancel", "coming", lambda t: {}),
    ("attendance", "held", attendance_data),
    ("record", "held", lambda t: {"what_was_done": "Planned together.", "action": "draft"}),
    ("gap_tasks", "held", None),
    ("milestone_add", "support", lambda t: {"term": "short", "description": "Daily fluency"}),
    ("milestone_edit", "milestone", lambda t: {"status": "in_progress", "notes": "Good start"}),
    ("evaluation", "group", lambda t: {"key_findings": "Confident teachers.", "action": "save"}),
    ("close_year", "group", lambda t: {}),
    ("completion", "group", None),
]
CASES = [(name, key, "GET", None) for name, key, _ in PAGES] + [
    (name, key, "POST", data) for name, key, data in PAGES if data
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "key", "method", "data"), CASES, ids=[f"{c[2]} {c[0]}" for c in CASES]
)
def test_only_the_groups_leads_hub_staff_and_national_team_reach_it(
    client, people, targets, role, name, key, method, data
):
    client.force_login(people[role])
    url = reverse(f"lead:{name}", args=[targets[key]] if key else [])

    response = client.get(url) if method == "GET" else client.post(url, data(targets))

    if key is None:
        expected = 200  # everyone has a dashboard; it lists only the groups they lead
    elif role in ALLOWED:
        expected = 200 if method == "GET" else 302
    else:
        expected = 404
    assert response.status_code == expected


def test_signed_out_visitors_are_sent_to_sign_in(client, group):
    response = client.get(reverse("lead:group", args=[group.pk]))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_dashboard_lists_only_the_groups_the_user_leads(client, people, group):
    client.force_login(people["other group's lead"])

    html = client.get(reverse("lead:dashboard")).content.decode()

    assert group.name not in html
