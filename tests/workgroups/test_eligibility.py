import datetime

import pytest
from django.utils import timezone

from participants.models import Phase, SchoolPhase, SchoolStatus, UserRole
from projects.models import Recruitment, RoleHolder
from tests.factories import (
    AcademicYearFactory,
    HubFactory,
    LocalAuthorityFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    WorkGroupFactory,
    phase,
)
from workgroups.eligibility import eligibility
from workgroups.models import Invitation, PlaceStatus, WorkGroupStatus

pytestmark = pytest.mark.django_db


def test_an_eligible_teacher_gets_no_reasons_and_the_first_free_role():
    group = WorkGroupFactory()

    verdict = eligibility(TeacherFactory(), group)

    assert verdict.ok
    assert verdict.reasons == []
    assert verdict.role.name == "Lead participant"


def test_a_teacher_with_no_school_is_told_to_add_it():
    verdict = eligibility(UserFactory(school=None), WorkGroupFactory())

    assert verdict.reasons == ["Add your school to your profile: schools take part as schools."]


@pytest.mark.parametrize(
    "status", [WorkGroupStatus.DRAFT, WorkGroupStatus.RUNNING, WorkGroupStatus.CANCELLED]
)
def test_groups_not_recruiting_refuse_registrations(status):
    verdict = eligibility(TeacherFactory(), WorkGroupFactory(status=status))

    assert any("not taking registrations" in reason for reason in verdict.reasons)


def test_a_full_group_still_accepts_registrations_for_its_waiting_list():
    assert eligibility(TeacherFactory(), WorkGroupFactory(status=WorkGroupStatus.FULL)).ok


def test_recruitment_window_is_explained_with_its_dates():
    today = timezone.localdate()
    later = WorkGroupFactory(recruitment_opens=today + datetime.timedelta(days=3))
    closed = WorkGroupFactory(recruitment_closes=today - datetime.timedelta(days=1))

    assert eligibility(TeacherFactory(), later).reasons[0].startswith("Registration opens on")
    assert eligibility(TeacherFactory(), closed).reasons[0].startswith("Registration closed on")


def test_independent_school_is_refused_for_state_funded_projects():
    teacher = TeacherFactory(school=SchoolFactory(is_state_funded=False, name="Oak Prep"))

    verdict = eligibility(teacher, WorkGroupFactory())

    assert verdict.reasons == [
        "This project is for state-funded schools, and Oak Prep is not state-funded."
    ]


def test_closed_school_is_refused():
    teacher = TeacherFactory(school=SchoolFactory(status=SchoolStatus.CLOSED, name="Old School"))

    assert eligibility(teacher, WorkGroupFactory()).reasons == ["Old School is recorded as closed."]


def test_school_outside_the_projects_area_is_refused_and_inside_is_accepted():
    local = LocalAuthorityFactory(name="Calderdale")
    project = ProjectFactory()
    project.eligible_local_authorities.add(local)
    group = WorkGroupFactory(project=project)

    outside = eligibility(TeacherFactory(school=SchoolFactory(name="Far School")), group)
    inside = eligibility(TeacherFactory(school=SchoolFactory(local_authority=local)), group)

    assert outside.reasons == [
        "This project is only for schools in Calderdale, and Far School is outside that area."
    ]
    assert inside.ok


def test_eligible_hub_admits_its_schools():
    hub = HubFactory()
    project = ProjectFactory()
    project.eligible_hubs.add(hub)
    school = SchoolFactory(local_authority=LocalAuthorityFactory(hub=hub))

    assert eligibility(TeacherFactory(school=school), WorkGroupFactory(project=project)).ok


def _prior_participation_project():
    development = ProjectFactory(title="Development")
    embedding = ProjectFactory(title="Embedding", recruitment=Recruitment.PRIOR_PARTICIPATION)
    embedding.prerequisites.add(development)
    return development, embedding


def test_prerequisite_project_must_have_been_completed():
    development, embedding = _prior_participation_project()
    school = SchoolFactory(name="Hill School")
    PlaceFactory(school=school, work_group__project=development, status=PlaceStatus.WITHDRAWN)

    verdict = eligibility(TeacherFactory(school=school), WorkGroupFactory(project=embedding))

    assert verdict.reasons == [
        "Hill School needs to have completed Development before taking part in this project."
    ]


def test_prerequisite_completed_by_the_predecessor_school_counts_after_academy_conversion():
    development, embedding = _prior_participation_project()
    old = SchoolFactory(urn=400001, status=SchoolStatus.CLOSED)
    academy = SchoolFactory(urn=400002, predecessor_urns=[400001])
    PlaceFactory(school=old, work_group__project=development, status=PlaceStatus.COMPLETED)

    verdict = eligibility(TeacherFactory(school=academy), WorkGroupFactory(project=embedding))

    assert verdict.ok, verdict.reasons


def test_new_schools_only_refuses_a_school_that_took_part_in_an_earlier_year():
    project = ProjectFactory(recruitment=Recruitment.NEW_SCHOOLS_ONLY)
    school = SchoolFactory(name="Repeat School")
    last_year = AcademicYearFactory(start_year=2020)
    PlaceFactory(
        school=school,
        work_group__project=project,
        work_group__academic_year=last_year,
        status=PlaceStatus.COMPLETED,
    )

    verdict = eligibility(TeacherFactory(school=school), WorkGroupFactory(project=project))

    assert verdict.reasons == [
        "This project is for schools taking part for the first time, and Repeat School "
        "took part in 2020/21."
    ]


def test_invitation_only_needs_a_valid_code_for_the_school():
    group = WorkGroupFactory(project=ProjectFactory(recruitment=Recruitment.INVITATION_ONLY))
    teacher = TeacherFactory()
    invitation = Invitation.objects.create(work_group=group, school=teacher.school)
    other_schools_code = Invitation.objects.create(work_group=group, school=SchoolFactory())

    without = eligibility(teacher, group)
    wrong = eligibility(teacher, group, invitation_code=other_schools_code.code)
    right = eligibility(teacher, group, invitation_code=f"  {invitation.code} ")

    assert "by invitation only" in without.reasons[0]
    assert "by invitation only" in wrong.reasons[0]
    assert right.ok


def test_already_registered_in_another_group_of_the_project_this_year():
    existing = RegistrationFactory(place__work_group__name="Leeds North")
    other_group = WorkGroupFactory(
        project=existing.work_group.project, academic_year=existing.work_group.academic_year
    )

    verdict = eligibility(existing.user, other_group)

    assert verdict.reasons == [
        "You are already registered for Leeds North in this project this year."
    ]


def test_every_reason_is_given_at_once():
    project = ProjectFactory(recruitment=Recruitment.INVITATION_ONLY)
    teacher = TeacherFactory(school=SchoolFactory(is_state_funded=False))
    group = WorkGroupFactory(project=project, status=WorkGroupStatus.DRAFT)

    verdict = eligibility(teacher, group)

    assert len(verdict.reasons) == 3


@pytest.mark.parametrize(
    ("school_phase", "project_phases", "ok"),
    [
        (SchoolPhase.PRIMARY, ["secondary"], False),
        (SchoolPhase.PRIMARY, ["post_16"], False),
        (SchoolPhase.SECONDARY, ["primary"], False),
        (SchoolPhase.SIXTEEN_PLUS, ["secondary"], False),
        (SchoolPhase.PRIMARY, ["primary"], True),
        (SchoolPhase.PRIMARY, ["early_years"], True),
        (SchoolPhase.SECONDARY, ["post_16"], True),
        (SchoolPhase.ALL_THROUGH, ["secondary"], True),
        (SchoolPhase.MIDDLE_PRIMARY, ["secondary"], True),
        (SchoolPhase.NOT_APPLICABLE, ["secondary"], True),
        (SchoolPhase.SECONDARY, [], True),
    ],
)
def test_a_school_must_teach_one_of_the_projects_phases(school_phase, project_phases, ok):
    project = ProjectFactory()
    project.phases.set([phase(code) for code in project_phases])
    school = SchoolFactory(phase=school_phase, name="Hilltop School")
    teacher = TeacherFactory(school=school)

    verdict = eligibility(teacher, WorkGroupFactory(project=project))

    assert verdict.ok is ok
    if not ok:
        assert verdict.reasons == [
            f"This project is for {Phase.objects.get(code=project_phases[0]).name.lower()} "
            f"schools and settings, and Hilltop School is a "
            f"{school.get_phase_display().lower()} school."
        ]


def _project_with_leader_and_teacher_roles():
    project = ProjectFactory()
    project.roles.all().delete()
    leader = project.roles.create(
        name="Headteacher", order=0, usually_filled_by=RoleHolder.SCHOOL_LEADER
    )
    teacher = project.roles.create(
        name="Class teacher", order=1, usually_filled_by=RoleHolder.TEACHER
    )
    return project, leader, teacher


def test_the_role_suggested_follows_the_persons_profile():
    project, leader_role, teacher_role = _project_with_leader_and_teacher_roles()
    group = WorkGroupFactory(project=project)
    school = SchoolFactory()

    as_teacher = eligibility(TeacherFactory(school=school, role=UserRole.TEACHER), group)
    as_leader = eligibility(TeacherFactory(school=school, role=UserRole.SCHOOL_LEADER), group)

    assert as_teacher.role == teacher_role
    assert as_leader.role == leader_role


def test_when_their_usual_role_is_full_another_with_room_is_suggested():
    project, leader_role, teacher_role = _project_with_leader_and_teacher_roles()
    group = WorkGroupFactory(project=project)
    place = PlaceFactory(work_group=group)
    RegistrationFactory(place=place, role=teacher_role)

    verdict = eligibility(TeacherFactory(school=place.school, role=UserRole.TEACHER), group)

    assert verdict.role == leader_role
