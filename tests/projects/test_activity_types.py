"""Each activity type works its own way, as ``projects.activity_types`` states it."""

import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from projects.activity_types import RULES, Joining, rules_for
from projects.models import ActivityType
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    ProjectFactory,
    SchoolFactory,
    TeacherFactory,
    WorkGroupFactory,
)
from tests.lead.factories import add_schools, led_group, past_session
from workgroups import services
from workgroups.admin import WorkGroupAddForm
from workgroups.models import PlaceStatus, SessionRecord

pytestmark = pytest.mark.django_db


def project_of(kind, **fields):
    return ProjectFactory(activity_type=kind, **fields)


def test_every_activity_type_states_its_rules():
    assert set(RULES) == set(ActivityType.values)
    for kind, rules in RULES.items():
        assert rules.label == ActivityType(kind).label
        assert rules.joining in (Joining.SCHOOL, Joining.INDIVIDUAL)
        assert rules.summary


def test_each_type_names_its_groups_unless_the_project_names_them():
    assert project_of(ActivityType.WORK_GROUP).group_noun == "Work Group"
    assert project_of(ActivityType.PROGRAMME).group_noun == "cohort"
    assert project_of(ActivityType.COMMUNITY).group_noun == "community"
    assert project_of(ActivityType.TARGETED_SUPPORT).group_noun == "support group"
    research = project_of(ActivityType.WORK_GROUP, group_name="Teacher Research Group")
    group = WorkGroupFactory(project=research)

    assert group.noun == "Teacher Research Group"


def test_a_teacher_research_group_is_called_so_on_its_page(client):
    research = project_of(ActivityType.WORK_GROUP, group_name="Teacher Research Group")
    group = WorkGroupFactory(project=research)
    client.force_login(TeacherFactory())

    response = client.get(group.get_absolute_url())

    assert response.status_code == 200
    assert "Teacher Research Group" in response.text


@pytest.mark.parametrize(
    ("kind", "asks_hub"),
    [
        (ActivityType.WORK_GROUP, False),
        (ActivityType.COMMUNITY, False),
        (ActivityType.PROGRAMME, True),
        (ActivityType.TARGETED_SUPPORT, True),
    ],
)
def test_programmes_and_targeted_support_always_wait_for_the_hub(kind, asks_hub):
    group = WorkGroupFactory(project=project_of(kind, requires_approval=False), capacity=1)

    registration = services.register(user=TeacherFactory(school=SchoolFactory()), work_group=group)

    expected = PlaceStatus.PENDING if asks_hub else PlaceStatus.CONFIRMED
    assert registration.place.status == expected


def test_a_project_may_ask_for_approval_where_its_type_does_not_insist():
    group = WorkGroupFactory(project=project_of(ActivityType.WORK_GROUP, requires_approval=True))

    registration = services.register(user=TeacherFactory(school=SchoolFactory()), work_group=group)

    assert registration.place.status == PlaceStatus.PENDING


def test_a_support_group_works_with_one_school():
    group = WorkGroupFactory(project=project_of(ActivityType.TARGETED_SUPPORT), capacity=1)

    with pytest.raises(services.RegistrationError) as error:
        services.change_capacity(work_group=group, capacity=2)

    assert error.value.details[0].field == "capacity"
    assert "one school" in error.value.reasons[0]
    group.refresh_from_db()
    assert group.capacity == 1


def _add_form(project, capacity):
    hub, year = HubFactory(), AcademicYearFactory()
    return WorkGroupAddForm(
        data={
            "project": project.pk,
            "hub": hub.pk,
            "academic_year": year.pk,
            "name": "Ash support group",
            "delivery_mode": "online",
            "capacity": capacity,
        }
    )


def test_the_admin_refuses_a_support_group_for_two_schools_next_to_the_field():
    form = _add_form(project_of(ActivityType.TARGETED_SUPPORT), capacity=2)

    assert not form.is_valid()
    assert "one school" in form.errors["capacity"][0]


def test_the_admin_takes_any_sensible_size_for_a_work_group():
    assert _add_form(project_of(ActivityType.WORK_GROUP), capacity=8).is_valid()
    form = _add_form(project_of(ActivityType.WORK_GROUP), capacity=0)
    assert not form.is_valid()
    assert "between 1 and" in form.errors["capacity"][0]


def _community_group_with_a_past_session():
    group = led_group(project=project_of(ActivityType.COMMUNITY))
    add_schools(group, 1)
    return group, past_session(group)


def test_a_community_sets_no_between_session_tasks():
    group, session = _community_group_with_a_past_session()

    with pytest.raises(services.DeliveryError) as error:
        services.save_session_record(
            session=session,
            by=group.leads.get().user,
            what_was_done="Shared a number talk.",
            gap_task="Try it with Year 3.",
        )

    assert error.value.details[0].field == "gap_task"
    assert not SessionRecord.objects.exists()


def test_a_communitys_record_form_has_no_task_box_and_saves_without_one(client):
    group, session = _community_group_with_a_past_session()
    client.force_login(group.leads.get().user)
    url = reverse("lead:record", args=[session.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="gap_task"' not in page.text

    client.post(url, {"what_was_done": "Shared a number talk.", "gap_task": "Sneaked in"})

    record = SessionRecord.objects.get(session=session)
    assert (record.what_was_done, record.gap_task) == ("Shared a number talk.", "")


def test_a_work_groups_record_keeps_its_task():
    group = led_group(project=project_of(ActivityType.WORK_GROUP))
    session = past_session(group)

    record = services.save_session_record(
        session=session, by=group.leads.get().user, gap_task="Try it with Year 3."
    )

    assert record.gap_task == "Try it with Year 3."


def test_a_community_has_no_end_of_year_evaluation(client):
    group, _session = _community_group_with_a_past_session()
    lead = group.leads.get().user

    with pytest.raises(evaluation_services.EvaluationError) as error:
        evaluation_services.save_evaluation(work_group=group, by=lead, key_findings="x")
    assert "no end-of-year evaluation" in error.value.reasons[0]

    client.force_login(lead)
    assert client.get(reverse("lead:evaluation", args=[group.pk])).status_code == 404
    page = client.get(reverse("lead:group", args=[group.pk]))
    assert "has no end-of-year evaluation" in page.text
    [(_year, [row])] = client.get(reverse("lead:dashboard")).context["current_years"]
    assert not row.evaluation_due


def test_only_targeted_support_has_an_action_plan():
    assert [kind for kind, rules in RULES.items() if rules.action_plan] == [
        ActivityType.TARGETED_SUPPORT
    ]
    group = led_group(project=project_of(ActivityType.PROGRAMME))

    with pytest.raises(services.DeliveryError):
        services.add_milestone(work_group=group, term="short", description="Fluency in Y3")


def test_the_catalogue_says_who_joins_and_who_decides(client):
    from catalogue.views import who_it_is_for

    programme = who_it_is_for(project_of(ActivityType.PROGRAMME))
    work_group = who_it_is_for(project_of(ActivityType.WORK_GROUP))

    assert "Each teacher joins the cohort in their own right." in programme
    assert "The hub approves each place." in programme
    assert not any("own right" in sentence for sentence in work_group)
    assert rules_for(ActivityType.WORK_GROUP).colleagues_named
    assert not rules_for(ActivityType.COMMUNITY).colleagues_named


def test_where_teachers_join_in_their_own_right_nobody_names_colleagues(client):
    from tests.factories import school_leader
    from workgroups.models import Nomination

    group = WorkGroupFactory(project=project_of(ActivityType.COMMUNITY))
    leader = school_leader()
    services.register(user=leader, work_group=group)

    with pytest.raises(services.RegistrationError) as error:
        services.nominate(
            leader=leader,
            work_group=group,
            email="colleague@example.org",
            role=group.project.roles.first(),
        )

    assert "in their own right" in error.value.reasons[0]
    assert not Nomination.objects.exists()
    client.force_login(leader)
    page = client.get(group.get_absolute_url())
    assert "register themselves" in page.text
    assert 'name="email"' not in page.text
