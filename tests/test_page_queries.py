"""Every page a teacher or a lead opens asks the database a fixed, small number of questions.

Each page is counted twice at two sizes of data: with nothing cached (the first visitor after a
change, or after the cache is emptied) and with its fragments cached (everyone else). The counts
must not grow with the data, and a page as most people get it stays within ten queries.

Sessions are read as production reads them with Redis (``mathshub.settings``): from the cache,
written through to the database. Emptying the cache also empties it of sessions, so a count
with nothing cached includes reading the session from the database.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import WorkGroupEvaluation
from participants.models import User
from projects.models import Recruitment
from tests.factories import (
    HubFactory,
    LLMEFactory,
    OfferFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    SessionRecordFactory,
    phase,
    school_leader,
)
from tests.lead.factories import add_schools, led_group, past_session
from tests.projects.helpers import group, running_project, teacher, year
from workgroups import services
from workgroups.models import Attendance, GapTaskResponse, WorkGroup

pytestmark = pytest.mark.django_db

MOST = 10


@dataclass
class World:
    """A teacher with a confirmed place, a confirmed school leader in the same place, and a
    lead with a running group that has held sessions, records and an evaluation."""

    teacher: User
    leader: User
    lead: User
    project: object
    group: WorkGroup
    led: WorkGroup
    held: object
    coming: object


@pytest.fixture(autouse=True)
def _sessions_as_in_production(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def world():
    hub = HubFactory(name="Enigma Maths Hub")
    project = running_project(title="Mastery Readiness", roles=[("Lead participant", 20)])
    project.phases.add(phase("primary"))
    OfferFactory(project=project, hub=hub, academic_year=year())
    work_group = group(project=project, hub=hub, capacity=50, sessions=2)
    school = SchoolFactory(hub=hub)
    me = teacher(school=school)
    services.register(user=me, work_group=work_group)
    leader = school_leader(school=school)
    lead = LLMEFactory(hub=hub)
    led = led_group(hub=hub, lead=lead)
    held = past_session(led, days_ago=21)
    SessionRecordFactory(session=held)
    WorkGroupEvaluation.objects.create(work_group=led)
    coming = SessionFactory(work_group=led)
    return World(me, leader, lead.user, project, work_group, led, held, coming)


def grow(world: World, size: int) -> None:
    """More of everything the pages list: projects, groups, schools, people, sessions, marks."""
    for _ in range(size):
        other = running_project(recruitment=Recruitment.PRIOR_PARTICIPATION)
        other.phases.add(phase("primary"))
        other.prerequisites.add(ProjectFactory())
        other.eligible_hubs.add(world.group.hub, HubFactory())
        group(project=other, hub=world.group.hub)
        services.register(user=world.teacher, work_group=group(sessions=2))
        elsewhere = group(project=world.project, hub=HubFactory(), sessions=2)
        PlaceFactory(work_group=elsewhere)
        RegistrationFactory(place=world.teacher.registrations.first().place)
        world.group.leads.add(LLMEFactory())
        registrations = add_schools(world.led, 1)
        Attendance.objects.bulk_create(
            Attendance(session=world.held, registration=r) for r in registrations
        )
        GapTaskResponse.objects.bulk_create(
            GapTaskResponse(registration=r, session_record=world.held.record, what_i_did="Did it")
            for r in registrations
        )
        more = led_group(hub=world.led.hub, lead=world.lead.llme_roles.get())
        past_session(more, days_ago=10)


TEACHER_PAGES = {
    "home": lambda w: reverse("home"),
    "catalogue": lambda w: reverse("projects:list"),
    "filtered catalogue": lambda w: reverse("projects:list") + "?phase=primary&mode=face_to_face",
    "project page": lambda w: w.project.get_absolute_url(),
    "group page": lambda w: w.group.get_absolute_url(),
    "my registrations": lambda w: reverse("workgroups:my_registrations"),
    "place page": lambda w: reverse("workgroups:place", args=[w.group.places.get().pk]),
    "profile": lambda w: reverse("participants:profile"),
}
LEADER_PAGES = {
    "group page as a school leader": lambda w: w.group.get_absolute_url(),
    "place page as a school leader": lambda w: reverse(
        "workgroups:place", args=[w.group.places.get().pk]
    ),
}
LEAD_PAGES = {
    "lead dashboard": lambda w: reverse("lead:dashboard"),
    "lead group page": lambda w: reverse("lead:group", args=[w.led.pk]),
    "lead evaluation": lambda w: reverse("lead:evaluation", args=[w.led.pk]),
    "attendance": lambda w: reverse("lead:attendance", args=[w.held.pk]),
    "session record": lambda w: reverse("lead:record", args=[w.held.pk]),
    "gap-task responses": lambda w: reverse("lead:gap_tasks", args=[w.held.pk]),
    "change a session": lambda w: reverse("lead:session_edit", args=[w.coming.pk]),
    "add a session": lambda w: reverse("lead:session_add", args=[w.led.pk]),
}
PAGES = {
    **{name: ("teacher", url) for name, url in TEACHER_PAGES.items()},
    **{name: ("leader", url) for name, url in LEADER_PAGES.items()},
    **{name: ("lead", url) for name, url in LEAD_PAGES.items()},
}


def queries(client, url) -> tuple[int, int]:
    """Queries to show the page with nothing cached, then with what it caches cached."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(captured))
    return counts[0], counts[1]


@pytest.mark.parametrize("name", PAGES)
def test_page_queries_are_few_and_do_not_grow_with_the_data(client, world, name):
    who, url_of = PAGES[name]
    client.force_login(getattr(world, who))
    grow(world, 1)
    cold_small, warm_small = queries(client, url_of(world))

    grow(world, 4)
    cold_large, warm_large = queries(client, url_of(world))

    assert (cold_large, warm_large) == (cold_small, warm_small)
    assert warm_small <= MOST


@pytest.mark.parametrize("name", PAGES)
def test_a_page_rebuilt_after_a_change_stays_within_ten_queries(client, world, name):
    """What the first visitor after someone registers pays: the national data still cached,
    the group's and its project's fragments built again."""
    who, url_of = PAGES[name]
    client.force_login(getattr(world, who))
    grow(world, 2)
    newcomer = teacher(school=SchoolFactory())
    url = url_of(world)
    client.get(url)
    services.register(user=newcomer, work_group=world.group)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200

    assert len(captured) <= MOST


def test_my_data_stays_within_ten_queries(client, world):
    client.force_login(world.teacher)
    grow(world, 1)
    small = queries(client, reverse("privacy:my_data"))
    grow(world, 3)

    assert queries(client, reverse("privacy:my_data")) == small
    assert small[1] <= MOST


def test_my_data_queries_do_not_grow_with_the_data(client, world):
    client.force_login(world.teacher)
    grow(world, 1)
    small = queries(client, reverse("privacy:my_data"))
    grow(world, 3)

    assert queries(client, reverse("privacy:my_data")) == small
