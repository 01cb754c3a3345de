import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import ClaimStatus
from projects.models import Recruitment
from tests.factories import (
    HubFactory,
    LLMEFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    school_leader,
)
from tests.projects.helpers import group, running_project, teacher
from workgroups.models import Invitation, Place, PlaceStatus, Registration, WorkGroupStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_cached_from_other_tests():
    """The pages cache what they show (core.cache); each test starts from an empty cache."""
    cache.clear()


def register_url(work_group):
    return reverse("workgroups:register", args=[work_group.pk])


def role_of(work_group, name=None):
    roles = work_group.project.roles.all()
    return roles.get(name=name) if name else roles.first()


def test_group_page_shows_leads_sessions_places_and_roles(client):
    work_group = group(capacity=4, sessions=3)
    work_group.leads.add(LLMEFactory(user__first_name="Ada", user__last_name="Lovelace"))
    PlaceFactory(work_group=work_group)

    html = client.get(work_group.get_absolute_url()).content.decode()

    assert "Ada Lovelace" in html
    assert html.count("<li>") >= 3
    assert "3 of 4" in html
    assert "Lead participant (up to 2)" in html
    assert "Sign in</a> to see whether you and your school can take part" in html


def test_eligible_teacher_sees_the_verdict_and_a_form_limited_to_the_projects_roles(client):
    project = running_project(roles=[("Reception teacher", 1), ("Maths lead", 1)])
    ProjectFactory(roles=[("Someone else's role", 1)])
    work_group = group(project=project)
    user = teacher()
    client.force_login(user)

    response = client.get(work_group.get_absolute_url())

    html = response.content.decode()
    assert f"You and {user.school.name} can register" in html
    choices = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    assert choices == ["Reception teacher (up to 1 per school)", "Maths lead (up to 1 per school)"]
    assert 'name="invitation_code"' not in html


def test_independent_school_teacher_sees_every_reason_and_no_register_button(client):
    work_group = group(status=WorkGroupStatus.RUNNING)
    user = teacher(school=SchoolFactory(is_state_funded=False, name="Grange Independent"))
    client.force_login(user)

    response = client.get(work_group.get_absolute_url())

    html = response.content.decode()
    assert "You cannot register" in html
    assert "Grange Independent is not state-funded" in html
    assert "is not taking registrations: it is running" in html
    assert '<form method="post" action="/groups/' not in html


def test_teacher_without_a_complete_profile_is_asked_to_complete_it(client):
    work_group = group()
    client.force_login(teacher(last_name=""))

    html = client.get(work_group.get_absolute_url()).content.decode()
    response = client.post(register_url(work_group), {"role": role_of(work_group).pk})

    assert "Complete your profile" in html
    assert response.status_code == 302
    assert response["Location"].startswith("/me/profile/?next=")
    assert not Registration.objects.exists()


def test_registering_takes_a_confirmed_place_and_says_so(
    client, django_capture_on_commit_callbacks
):
    work_group = group()
    user = teacher()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            register_url(work_group), {"role": role_of(work_group).pk}, follow=True
        )

    registration = Registration.objects.get(user=user)
    assert registration.place.status == PlaceStatus.CONFIRMED
    assert "your school&#x27;s place is confirmed" in response.content.decode()
    assert f"http://127.0.0.1:8000/groups/{work_group.pk}/" in mail.outbox[0].body


def test_registering_for_a_full_group_gives_the_waiting_list_position(client):
    work_group = group(capacity=1)
    PlaceFactory(work_group=work_group)
    PlaceFactory(work_group=work_group, status=PlaceStatus.WAITLISTED)
    client.force_login(teacher())

    response = client.post(register_url(work_group), {"role": role_of(work_group).pk}, follow=True)

    assert "on the waiting list in position 2" in response.content.decode()


def test_registering_where_the_hub_approves_says_awaiting_approval(client):
    work_group = group(project=running_project(requires_approval=True))
    client.force_login(teacher())

    response = client.post(register_url(work_group), {"role": role_of(work_group).pk}, follow=True)

    assert "awaiting approval" in response.content.decode()
    assert Place.objects.get().status == PlaceStatus.PENDING


def test_double_submit_makes_one_registration_and_says_already_registered(client):
    work_group = group()
    client.force_login(teacher())
    data = {"role": role_of(work_group).pk}
    client.post(register_url(work_group), data)

    response = client.post(register_url(work_group), data, follow=True)

    assert response.status_code == 200
    assert "You are already registered for this group." in response.content.decode()
    assert Registration.objects.count() == 1


def test_colleague_joins_the_schools_place_and_sees_who_fills_each_role(client):
    work_group = group()
    first = RegistrationFactory(place__work_group=work_group, user__first_name="Grace")
    colleague = teacher(school=first.place.school)
    client.force_login(colleague)

    client.post(register_url(work_group), {"role": role_of(work_group).pk})
    response = client.get(work_group.get_absolute_url())

    assert Registration.objects.get(user=colleague).place == first.place
    roster = response.context["roster"]
    assert [person.pk for person in roster[0].people] == [first.user.pk, colleague.pk]
    assert roster[0].missing == 0


def test_refusal_shows_the_reasons_beside_the_form_and_changes_nothing(client):
    project = running_project(roles=[("Maths lead", 1), ("Class teacher", 1)])
    work_group = group(project=project)
    first = RegistrationFactory(
        place__work_group=work_group, role=role_of(work_group, "Maths lead")
    )
    client.force_login(teacher(school=first.place.school))

    response = client.post(register_url(work_group), {"role": role_of(work_group, "Maths lead").pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "maths lead places are all taken" in html
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("role", ["", "abc", "<script>x</script>", "999999"])
def test_missing_or_hostile_role_is_refused_next_to_the_field(client, role):
    work_group = group()
    client.force_login(teacher())

    response = client.post(register_url(work_group), {"role": role})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<script>x</script>" not in html
    assert not Registration.objects.exists()


def test_role_of_another_project_is_refused(client):
    work_group = group()
    other_role = ProjectFactory().roles.first()
    client.force_login(teacher())

    response = client.post(register_url(work_group), {"role": other_role.pk})

    assert "Select a valid choice" in response.content.decode()
    assert not Registration.objects.exists()


def test_invitation_only_group_asks_for_the_code_and_checks_it(client):
    work_group = group(project=running_project(recruitment=Recruitment.INVITATION_ONLY))
    invitation = Invitation.objects.create(work_group=work_group)
    client.force_login(teacher())
    data = {"role": role_of(work_group).pk}

    page = client.get(work_group.get_absolute_url())
    missing = client.post(register_url(work_group), data)
    wrong = client.post(register_url(work_group), {**data, "invitation_code": "nope"})
    right = client.post(register_url(work_group), {**data, "invitation_code": invitation.code})

    assert 'name="invitation_code"' in page.content.decode()
    assert "This field is required" in missing.content.decode()
    assert "enter the invitation code your hub gave you" in wrong.content.decode()
    assert right.status_code == 302
    assert Registration.objects.count() == 1


def test_register_is_post_only_and_unknown_groups_are_not_found(client):
    work_group = group()
    draft = group(status=WorkGroupStatus.DRAFT)
    client.force_login(teacher())

    assert client.get(register_url(work_group)).status_code == 405
    assert client.post(register_url(draft), {}).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_confirmed_school_leader_names_colleagues_on_the_group_page(client):
    work_group = group()
    place = RegistrationFactory(place__work_group=work_group).place
    leader = school_leader(school=place.school)
    client.force_login(leader)

    html = client.get(work_group.get_absolute_url()).content.decode()

    assert "Your school's place</h3>" in html
    assert "Colleague&#x27;s email address" in html
    assert "Name colleague</button>" in html


def test_confirmed_leader_is_told_to_take_a_place_before_naming_colleagues(client):
    work_group = group()
    client.force_login(school_leader(school=SchoolFactory(name="Oakfield Primary")))

    html = client.get(work_group.get_absolute_url()).content.decode()

    assert "Name colleague</button>" not in html
    assert "Oakfield Primary does not hold a place" in html


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (ClaimStatus.PENDING, "It is waiting for Enigma Maths Hub to confirm it."),
        (ClaimStatus.REJECTED, "did not confirm your school leader role"),
    ],
)
def test_unconfirmed_leader_sees_no_roster_and_is_told_why_naming_is_not_offered(
    client, status, says
):
    work_group = group()
    place = RegistrationFactory(
        place__work_group=work_group, place__school__hub=HubFactory(name="Enigma Maths Hub")
    ).place
    client.force_login(school_leader(school=place.school, status=status))

    response = client.get(work_group.get_absolute_url())

    html = response.content.decode()
    assert "Your school's place</h3>" not in html
    assert says in html
    assert "Name colleague" not in html
    assert "Who fills each role" not in html


def build_group_data(work_group, size):
    for _ in range(size):
        work_group.leads.add(LLMEFactory())
        RegistrationFactory(place__work_group=work_group)
    for _ in range(size):
        held = work_group.sessions.count()
        starts = datetime.datetime(2030, 1, 1, 10, tzinfo=datetime.UTC) + datetime.timedelta(
            days=held
        )
        work_group.sessions.create(
            number=100 + held, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
        )


def count(client, url):
    """Queries with nothing cached, then with the page's fragments cached."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def test_group_page_queries_do_not_grow_with_leads_sessions_and_places(client):
    work_group = group(capacity=100)
    mine = RegistrationFactory(place__work_group=work_group)
    client.force_login(mine.user)
    teacher(school=mine.place.school)
    build_group_data(work_group, 3)
    small = count(client, work_group.get_absolute_url())
    build_group_data(work_group, 27)

    assert count(client, work_group.get_absolute_url()) == small


def test_waiting_list_email_reads_plainly_with_position_and_links(
    client, django_capture_on_commit_callbacks
):
    work_group = group(capacity=1, name="Leeds & District Work Group")
    PlaceFactory(work_group=work_group)
    client.force_login(teacher())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(work_group), {"role": role_of(work_group).pk})

    message = mail.outbox[0]
    assert message.subject == "You are on the waiting list for Leeds & District Work Group"
    assert "waiting list in position 1." in message.body
    assert "&amp;" not in message.body
    assert f"http://127.0.0.1:8000/groups/{work_group.pk}/" in message.body
    assert "http://127.0.0.1:8000/groups/mine/" in message.body


def test_a_participant_who_cannot_name_colleagues_is_told_who_at_their_school_can(client):
    work_group = group()
    mine = RegistrationFactory(place__work_group=work_group)
    school = mine.place.school
    client.force_login(mine.user)

    nobody = client.get(work_group.get_absolute_url()).content.decode()
    school_leader(school=school, first_name="Ada", last_name="Lovelace")
    school_leader(school=school, first_name="Pending", status=ClaimStatus.PENDING)
    someone = client.get(work_group.get_absolute_url()).content.decode()

    assert "Nobody at" in nobody
    assert "is confirmed as a school leader yet" in nobody
    assert f"At {school.name}, Ada Lovelace can name colleagues" in someone
    assert "Pending" not in someone
