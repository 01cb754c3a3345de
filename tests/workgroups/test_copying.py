"""Hub staff copy last year's groups into the new year as drafts, sessions on matching weekdays."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    HubMembershipFactory,
    LLMEFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    WorkGroupFactory,
)
from workgroups import services
from workgroups.models import DeliveryMode, Session, WorkGroup, WorkGroupStatus

pytestmark = pytest.mark.django_db

# Years far from today, so nothing depends on the date the tests run.
FROM_START, TO_START = 2030, 2031


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def hub():
    return HubFactory()


@pytest.fixture
def years():
    return (
        AcademicYearFactory(start_year=FROM_START),
        AcademicYearFactory(start_year=TO_START),
    )


@pytest.fixture
def staff(hub):
    return HubMembershipFactory(hub=hub).user


@pytest.fixture
def group(hub, years):
    last, this = years
    project = ProjectFactory()
    project.years.add(last, this)
    return WorkGroupFactory(
        project=project,
        hub=hub,
        academic_year=last,
        name="Cedar Group",
        status=WorkGroupStatus.COMPLETED,
        capacity=9,
        venue="Hilltop Primary School",
        venue_school=SchoolFactory(name="Hilltop Primary School"),
        delivery_mode=DeliveryMode.BLENDED,
        recruitment_opens=datetime.date(2030, 6, 1),
        recruitment_closes=datetime.date(2030, 9, 20),
    )


def session(group, starts_at, **fields):
    return SessionFactory(
        work_group=group,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        mode=fields.pop("mode", DeliveryMode.BLENDED),
        joining_link=fields.pop("joining_link", "https://meet.example.org/cedar"),
        **fields,
    )


def sessions_of(group):
    return list(group.sessions.order_by("number"))


def test_sessions_move_to_the_same_weekday_and_time_inside_the_new_year(group, staff, years):
    _, this = years
    # 1 September 2030 is a Sunday: 52 weeks on is still August, so it moves 53.
    session(group, local(2030, 9, 1, 9, 30), venue="Library")
    session(group, local(2030, 10, 15, 16, 0))  # a Tuesday, in summer time
    session(group, local(2031, 1, 14, 16, 0), mode=DeliveryMode.ONLINE)  # a Tuesday in winter
    session(group, local(2031, 7, 20, 13, 0), cancelled=True)  # cancelled: not copied

    [copy] = services.copy_groups(groups=[group], to_year=this, by=staff).copied

    copied = sessions_of(copy)
    starts = [timezone.localtime(s.starts_at) for s in copied]
    assert [s.number for s in copied] == [1, 2, 3]
    assert [(d.date(), d.strftime("%A %H:%M")) for d in starts] == [
        (datetime.date(2031, 9, 7), "Sunday 09:30"),
        (datetime.date(2031, 10, 14), "Tuesday 16:00"),
        (datetime.date(2032, 1, 13), "Tuesday 16:00"),
    ]
    assert all(this.starts_on <= d.date() <= this.ends_on for d in starts)
    assert all(s.ends_at - s.starts_at == datetime.timedelta(hours=2) for s in copied)
    assert [s.venue for s in copied] == [
        "Library",
        "Hilltop Primary School",
        "Hilltop Primary School",
    ]
    assert [s.mode for s in copied] == [DeliveryMode.BLENDED, DeliveryMode.BLENDED, "online"]
    assert {s.joining_link for s in copied} == {"https://meet.example.org/cedar"}
    assert not any(s.cancelled for s in copied)


def test_the_copy_is_a_draft_of_the_same_group_with_nothing_about_people(group, staff, years):
    _, this = years
    RegistrationFactory(place=PlaceFactory(work_group=group))
    session(group, local(2030, 10, 15, 16, 0))

    [copy] = services.copy_groups(groups=[group], to_year=this, by=staff).copied

    copy = WorkGroup.objects.get(pk=copy.pk)
    assert (copy.project, copy.hub, copy.academic_year) == (group.project, group.hub, this)
    assert copy.status == WorkGroupStatus.DRAFT
    assert copy.copied_from == group
    assert (copy.name, copy.capacity, copy.delivery_mode, copy.venue, copy.venue_school) == (
        "Cedar Group",
        9,
        DeliveryMode.BLENDED,
        "Hilltop Primary School",
        group.venue_school,
    )
    assert (copy.recruitment_opens, copy.recruitment_closes) == (
        datetime.date(2031, 6, 1),
        datetime.date(2031, 9, 20),
    )
    assert not copy.places.exists()
    assert not copy.registrations.exists()
    assert (copy.taken_count, copy.waitlisted_count) == (0, 0)
    # The original is untouched.
    assert group.sessions.count() == 1
    assert group.places.count() == 1


def test_active_leads_are_copied_and_inactive_ones_dropped(group, staff, years, hub):
    _, this = years
    active, retired = LLMEFactory(hub=hub), LLMEFactory(hub=hub, active=False)
    group.leads.set([active, retired])

    [copy] = services.copy_groups(groups=[group], to_year=this, by=staff).copied

    assert list(copy.leads.all()) == [active]


def test_copying_a_group_twice_into_the_same_year_is_refused(group, staff, years):
    _, this = years
    services.copy_groups(groups=[group], to_year=this, by=staff)

    outcome = services.copy_groups(groups=[group], to_year=this, by=staff)

    assert outcome.copied == []
    [(refused, reason)] = outcome.refused
    assert refused == group
    assert reason == f"Cedar Group is already copied into {this} as “Cedar Group”."
    assert WorkGroup.objects.filter(copied_from=group).count() == 1


def test_a_project_not_running_next_year_is_refused_and_others_still_copied(
    group, staff, years, hub
):
    last, this = years
    ending = ProjectFactory(title="Old Approaches")
    ending.years.add(last)
    stopping = WorkGroupFactory(project=ending, hub=hub, academic_year=last, name="Oak Group")

    outcome = services.copy_groups(groups=[stopping, group], to_year=this, by=staff)

    assert [copy.copied_from for copy in outcome.copied] == [group]
    assert outcome.refused == [
        (stopping, f"Old Approaches does not run in {this}, so Oak Group cannot be copied into it.")
    ]
    assert not WorkGroup.objects.filter(copied_from=stopping).exists()


def test_with_no_year_given_each_group_goes_into_the_year_after_its_own(group, staff, years):
    _, this = years

    [copy] = services.copy_groups(groups=[group], to_year=None, by=staff).copied

    assert copy.academic_year == this


def test_with_no_later_year_the_copy_is_refused(staff, years, hub):
    _, this = years
    latest = WorkGroupFactory(hub=hub, academic_year=this, name="Newest Group")

    outcome = services.copy_groups(groups=[latest], to_year=None, by=staff)

    assert outcome.copied == []
    assert outcome.refused == [
        (latest, f"There is no school year after {this} yet; the national team adds each year.")
    ]


def test_copying_into_the_groups_own_or_an_earlier_year_is_refused(group, staff, years):
    last, _ = years

    outcome = services.copy_groups(groups=[group], to_year=last, by=staff)

    assert outcome.refused == [(group, f"Cedar Group runs in {last}: copy it into a later year.")]


def test_another_hubs_group_is_refused(group, years):
    _, this = years
    stranger = HubMembershipFactory(hub=HubFactory()).user

    outcome = services.copy_groups(groups=[group], to_year=this, by=stranger)

    assert outcome.copied == []
    assert outcome.refused == [
        (group, "Cedar Group belongs to another hub, so you cannot copy it.")
    ]
    assert not WorkGroup.objects.filter(copied_from=group).exists()


def test_a_session_that_breaks_a_session_rule_refuses_the_whole_group(group, staff, years):
    _, this = years
    session(group, local(2030, 10, 15, 16, 0), number=1)
    # Saved before the rules: an online session with no link to join.
    session(group, local(2030, 11, 5, 16, 0), number=2, mode=DeliveryMode.ONLINE, joining_link="")

    outcome = services.copy_groups(groups=[group], to_year=this, by=staff)

    [(_, reason)] = outcome.refused
    assert reason.startswith("Session 2: Give the link participants join the session with.")
    assert not WorkGroup.objects.filter(copied_from=group).exists()
    assert Session.objects.filter(work_group__academic_year=this).count() == 0


# The admin's action ---------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


CHANGELIST = "admin:workgroups_workgroup_changelist"


def act(client, groups, **extra):
    data = {"action": "copy_to_next_year", ACTION_CHECKBOX_NAME: [g.pk for g in groups], **extra}
    response = client.post(reverse(CHANGELIST), data)
    return response, [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_the_action_asks_for_the_year_first_and_copies_nothing_yet(staff_client, group):
    response, reported = act(staff_client, [group])

    text = response.content.decode()
    assert response.status_code == 200
    assert "Copy groups to next year" in text
    assert "Cedar Group" in text
    assert '<label for="id_to_year">Copy into:</label>' in text
    assert "The year after each group&#x27;s own" in text
    assert reported == []
    assert not WorkGroup.objects.filter(copied_from=group).exists()


def test_the_action_copies_and_says_how_many_and_why_any_were_not(staff_client, group, years, hub):
    last, this = years
    ending = ProjectFactory(title="Old Approaches")
    ending.years.add(last)
    stopping = WorkGroupFactory(project=ending, hub=hub, academic_year=last, name="Oak Group")
    session(group, local(2030, 10, 15, 16, 0))

    response, reported = act(staff_client, [group, stopping], apply="1", to_year="")

    assert response.status_code == 302
    assert reported == [
        (
            "error",
            f"Not copied: Old Approaches does not run in {this}, so Oak Group cannot be "
            "copied into it.",
        ),
        ("success", f"Copied 1 group(s) as drafts: Cedar Group ({this})."),
    ]
    copy = WorkGroup.objects.get(copied_from=group)
    assert copy.status == WorkGroupStatus.DRAFT
    assert timezone.localtime(copy.sessions.get().starts_at).strftime("%A") == "Tuesday"


def test_the_action_into_a_chosen_year(staff_client, group, years):
    _, this = years

    _, reported = act(staff_client, [group], apply="1", to_year=str(this.pk))

    assert reported == [("success", f"Copied 1 group(s) as drafts: Cedar Group ({this}).")]


def test_a_year_that_does_not_exist_is_asked_again_and_nothing_copied(staff_client, group):
    response, reported = act(staff_client, [group], apply="1", to_year="999999")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert reported == []
    assert not WorkGroup.objects.filter(copied_from=group).exists()


def test_the_action_cannot_reach_another_hubs_group(client, group, years):
    _, this = years
    client.force_login(HubMembershipFactory(hub=HubFactory()).user)

    _, reported = act(client, [group], apply="1", to_year=str(this.pk))

    assert not WorkGroup.objects.filter(copied_from=group).exists()
    assert not any(level == "success" for level, _ in reported)
    page = client.get(reverse("admin:workgroups_workgroup_change", args=[group.pk]))
    assert page.status_code in (302, 404)
