"""A full group's waiting list follows its project's rule: first come, first served, or schools
with more disadvantaged pupils (free school meals %) first; hub staff see the order and why."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Oversubscription
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    NationalAdminFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
)
from workgroups import services
from workgroups.models import (
    Place,
    PlaceStatus,
    waitlist_position,
    waitlist_position_subquery,
)
from workgroups.views.groups import outcome_message

pytestmark = pytest.mark.django_db

# Far from any boundary: the order is all that matters.
START = timezone.make_aware(datetime.datetime(2026, 9, 4, 10, 2))


def minutes(n):
    return START + datetime.timedelta(minutes=n)


def full_group(rule, *, hub=None, capacity=1):
    """A group of ``capacity`` places, all taken (each by a school with one participant)."""
    group = WorkGroupFactory(
        project=ProjectFactory(oversubscription=rule),
        capacity=capacity,
        name="Cedar Group",
        **({"hub": hub} if hub else {}),
    )
    taken = [
        RegistrationFactory(place=PlaceFactory(work_group=group, requested_at=minutes(-100)))
        for _ in range(capacity)
    ]
    return group, taken


def waiting(group, name, fsm, at):
    school = SchoolFactory(name=name, fsm_percentage=None if fsm is None else Decimal(fsm))
    return PlaceFactory(
        work_group=group, school=school, status=PlaceStatus.WAITLISTED, requested_at=at
    )


def served(group):
    return [place.school.name for place in group.places.waiting_list().select_related("school")]


def positions(group):
    """Every waiting school's position, read each way the site reads it."""
    one_by_one = {
        place.school.name: waitlist_position(place)
        for place in Place.objects.filter(work_group=group, status=PlaceStatus.WAITLISTED)
    }
    annotated = dict(
        Place.objects.filter(work_group=group, status=PlaceStatus.WAITLISTED)
        .annotate(position=waitlist_position_subquery(""))
        .values_list("school__name", "position")
    )
    assert one_by_one == annotated
    return one_by_one


def test_first_come_serves_in_the_order_schools_asked_whatever_their_meals_figure():
    group, _ = full_group(Oversubscription.FIRST_COME)
    waiting(group, "Ash", "10.0", minutes(1))
    waiting(group, "Birch", "60.0", minutes(2))
    waiting(group, "Cherry", None, minutes(3))

    assert served(group) == ["Ash", "Birch", "Cherry"]
    assert positions(group) == {"Ash": 1, "Birch": 2, "Cherry": 3}


def test_first_come_breaks_a_tie_of_the_same_moment_by_who_was_first_recorded():
    group, _ = full_group(Oversubscription.FIRST_COME)
    first = waiting(group, "Ash", "50.0", minutes(1))
    second = waiting(group, "Birch", "10.0", minutes(1))
    assert first.pk < second.pk

    assert served(group) == ["Ash", "Birch"]
    assert positions(group) == {"Ash": 1, "Birch": 2}


def test_disadvantage_first_serves_the_highest_meals_figure_first_and_no_figure_last():
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    waiting(group, "Ash", "10.0", minutes(1))
    waiting(group, "Birch", None, minutes(2))
    waiting(group, "Cherry", "41.2", minutes(3))
    waiting(group, "Damson", "0.0", minutes(4))

    assert served(group) == ["Cherry", "Ash", "Damson", "Birch"]
    assert positions(group) == {"Cherry": 1, "Ash": 2, "Damson": 3, "Birch": 4}


def test_disadvantage_first_breaks_ties_by_the_time_schools_asked():
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    waiting(group, "Late", "30.0", minutes(5))
    waiting(group, "Early", "30.0", minutes(1))
    waiting(group, "No figure late", None, minutes(9))
    waiting(group, "No figure early", None, minutes(2))

    assert served(group) == ["Early", "Late", "No figure early", "No figure late"]
    assert positions(group) == {
        "Early": 1,
        "Late": 2,
        "No figure early": 3,
        "No figure late": 4,
    }


def test_each_group_follows_its_own_projects_rule():
    fair, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    queue, _ = full_group(Oversubscription.FIRST_COME)
    for group in (fair, queue):
        waiting(group, f"Low {group.pk}", "5.0", minutes(1))
        waiting(group, f"High {group.pk}", "55.0", minutes(2))

    assert served(fair) == [f"High {fair.pk}", f"Low {fair.pk}"]
    assert served(queue) == [f"Low {queue.pk}", f"High {queue.pk}"]


@pytest.mark.parametrize(
    ("rule", "given"),
    [(Oversubscription.FIRST_COME, "Ash"), (Oversubscription.DISADVANTAGE_FIRST, "Cherry")],
)
def test_a_freed_place_goes_to_the_school_the_rule_puts_first(rule, given):
    group, [leaving] = full_group(rule)
    waiting(group, "Ash", "12.5", minutes(1))
    waiting(group, "Birch", None, minutes(2))
    waiting(group, "Cherry", "48.0", minutes(3))

    services.withdraw(registration=leaving)

    confirmed = Place.objects.get(work_group=group, status=PlaceStatus.CONFIRMED)
    assert confirmed.school.name == given
    assert set(positions(group).values()) == {1, 2}


def test_more_places_go_down_the_disadvantage_order_in_turn():
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    waiting(group, "Ash", "12.5", minutes(1))
    waiting(group, "Birch", None, minutes(2))
    waiting(group, "Cherry", "48.0", minutes(3))

    promoted = services.change_capacity(work_group=group, capacity=3)

    assert [place.school.name for place in promoted] == ["Cherry", "Ash"]
    assert positions(group) == {"Birch": 1}


def test_a_school_joining_the_waiting_list_is_told_its_place_by_the_rule(
    django_capture_on_commit_callbacks,
):
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    waiting(group, "Ash", "10.0", minutes(1))
    waiting(group, "Birch", "50.0", minutes(2))
    teacher = TeacherFactory(school=SchoolFactory(fsm_percentage=Decimal("30.0")))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(user=teacher, work_group=group)

    assert registration.place.status == PlaceStatus.WAITLISTED
    assert waitlist_position(registration.place) == 2
    [email] = [m for m in mail.outbox if teacher.email in m.to]
    assert "in position 2" in email.body
    assert "more disadvantaged pupils first" in email.body
    assert "your position can change" in email.body


def test_the_teachers_page_shows_the_position_the_rule_gives(client):
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    waiting(group, "Ash", "10.0", minutes(1))
    place = waiting(group, "Birch", "50.0", minutes(2))
    teacher = TeacherFactory(school=place.school)
    RegistrationFactory(place=place, user=teacher)
    client.force_login(teacher)

    page = client.get(reverse("workgroups:my_registrations")).content.decode()

    assert "position 1 on the waiting list (places go to schools with more disadvantaged" in page


def test_a_teacher_joining_the_waiting_list_is_told_the_rule():
    fair, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    queue, _ = full_group(Oversubscription.FIRST_COME)

    said = {
        group.project.oversubscription: outcome_message(
            services.register(user=TeacherFactory(), work_group=group)
        )
        for group in (fair, queue)
    }

    assert said[Oversubscription.DISADVANTAGE_FIRST] == (
        "Cedar Group is full, so your school is on the waiting list in position 1. Places "
        "that come free go to schools with more disadvantaged pupils first, so your position "
        "can change. We will email you when a place is free."
    )
    assert said[Oversubscription.FIRST_COME] == (
        "Cedar Group is full, so your school is on the waiting list in position 1. We will "
        "email you when a place is free."
    )


# What hub staff see ---------------------------------------------------------------------------


@pytest.fixture
def hub():
    return HubFactory()


@pytest.fixture
def staff_client(client, hub):
    client.force_login(HubMembershipFactory(hub=hub).user)
    return client


def test_the_groups_page_gives_each_waiting_schools_position_and_why(staff_client, hub):
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST, hub=hub)
    waiting(group, "Ash Primary", "10.0", minutes(1))
    waiting(group, "Birch Primary", "41.2", minutes(2))
    waiting(group, "Cherry Primary", None, minutes(3))

    page = staff_client.get(reverse("admin:workgroups_workgroup_change", args=[group.pk]))
    text = page.content.decode()

    assert page.status_code == 200
    rule = "this project fills places with schools with more disadvantaged pupils first"
    assert f"1st: 41.2% free school meals; asked on 4 September 10:04; {rule}" in text
    assert f"2nd: 10.0% free school meals; asked on 4 September 10:03; {rule}" in text
    assert "3rd: no free school meals figure, so after every school with one" in text
    # Listed in the order they are served.
    assert text.index("Birch Primary") < text.index("Ash Primary") < text.index("Cherry Primary")


def test_the_waiting_list_page_lists_a_first_come_group_in_order_with_why(staff_client, hub):
    group, _ = full_group(Oversubscription.FIRST_COME, hub=hub)
    waiting(group, "Ash Primary", "60.0", minutes(3))
    waiting(group, "Birch Primary", "10.0", minutes(1))

    url = reverse("admin:workgroups_place_changelist")
    page = staff_client.get(
        url, {"work_group__id__exact": group.pk, "status__exact": PlaceStatus.WAITLISTED}
    )
    text = page.content.decode()

    assert page.status_code == 200
    assert "1st: asked on 4 September 10:03; first come, first served" in text
    assert "2nd: asked on 4 September 10:05; first come, first served" in text
    assert text.index("Birch Primary") < text.index("Ash Primary")


def test_the_group_page_links_to_its_waiting_list_and_states_the_rule(staff_client, hub):
    group, _ = full_group(Oversubscription.FIRST_COME, hub=hub)

    text = staff_client.get(
        reverse("admin:workgroups_workgroup_change", args=[group.pk])
    ).content.decode()

    assert "First come, first served." in text
    assert f"work_group__id__exact={group.pk}&amp;status__exact=waitlisted" in text


def test_another_hubs_waiting_list_is_not_shown(staff_client):
    other, _ = full_group(Oversubscription.DISADVANTAGE_FIRST)
    waiting(other, "Elsewhere Primary", "41.2", minutes(1))

    page = staff_client.get(
        reverse("admin:workgroups_place_changelist"),
        {"work_group__id__exact": other.pk, "status__exact": PlaceStatus.WAITLISTED},
    )

    assert "Elsewhere Primary" not in page.content.decode()
    assert staff_client.get(
        reverse("admin:workgroups_workgroup_change", args=[other.pk])
    ).status_code in (302, 404)


def test_the_waiting_list_pages_ask_a_fixed_number_of_queries(staff_client, hub):
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST, hub=hub)
    pages = [
        reverse("admin:workgroups_workgroup_change", args=[group.pk]),
        reverse("admin:workgroups_place_changelist")
        + f"?work_group__id__exact={group.pk}&status__exact=waitlisted",
    ]

    def count(url):
        staff_client.get(url)  # warm what every page reads once
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    for n in range(2):
        waiting(group, f"Small {n}", f"{n}.0", minutes(n))
    small = [count(url) for url in pages]
    for n in range(12):
        waiting(group, f"Large {n}", None if n % 3 == 0 else f"{20 + n}.0", minutes(10 + n))
    assert [count(url) for url in pages] == small


def test_the_project_page_offers_the_rule_and_the_groups_name(client):
    client.force_login(NationalAdminFactory())
    project = ProjectFactory()

    text = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()

    assert 'name="oversubscription"' in text
    assert "Schools with more disadvantaged pupils first (free school meals %)" in text
    assert 'name="group_name"' in text


def test_the_waiting_list_page_lists_a_disadvantage_first_group_in_its_order(staff_client, hub):
    group, _ = full_group(Oversubscription.DISADVANTAGE_FIRST, hub=hub)
    waiting(group, "Ash Primary", None, minutes(1))
    waiting(group, "Birch Primary", "12.0", minutes(2))
    waiting(group, "Cherry Primary", "41.2", minutes(3))

    text = staff_client.get(
        reverse("admin:workgroups_place_changelist"),
        {"work_group__id__exact": group.pk, "status__exact": PlaceStatus.WAITLISTED},
    ).content.decode()

    assert text.index("Cherry Primary") < text.index("Birch Primary") < text.index("Ash Primary")
    assert "1st: 41.2% free school meals; asked on 4 September 10:05" in text
    assert "3rd: no free school meals figure, so after every school with one" in text
