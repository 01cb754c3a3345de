"""Builders for report tests: groups with places, people, sessions, marks and evaluations."""

import datetime

import factory
from django.utils import timezone

from evaluations.models import EvaluationStatus, OutcomeEvaluation
from projects.models import OutcomeArea
from tests.factories import (
    HubFactory,
    PlaceFactory,
    RegistrationFactory,
    SchoolFactory,
    SessionFactory,
    SessionRecordFactory,
    UserFactory,
    WorkGroupEvaluationFactory,
    WorkGroupFactory,
    region,
)
from workgroups.models import (
    Attendance,
    AttendanceStatus,
    Completion,
    GapTaskResponse,
    PlaceStatus,
    WorkGroupStatus,
)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    status = AttendanceStatus.PRESENT


class GapTaskResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GapTaskResponse

    what_i_did = "Taught the lesson we planned."


class OutcomeEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeEvaluation


def area(code: str) -> OutcomeArea:
    return OutcomeArea.objects.get(code=code)


def hub(name: str, region_name: str = "Yorkshire and the Humber"):
    return HubFactory(name=name, region=region(region_name))


def past_session(group, number: int, *, days_ago: int = 7, cancelled: bool = False):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return SessionFactory(
        work_group=group,
        number=number,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        cancelled=cancelled,
    )


def person_in(place, role=None, user=None, **kwargs):
    """A registration (active unless told) for a new person from the place's school."""
    user = user or UserFactory(school=place.school)
    extra = {"role": role} if role else {}
    return RegistrationFactory(place=place, user=user, **extra, **kwargs)


def evaluate(group, status=EvaluationStatus.SIGNED_OFF, ratings=None, **kwargs):
    """An evaluation with ``ratings``: {area code: (rating, evidence)}."""
    evaluation = WorkGroupEvaluationFactory(work_group=group, status=status, **kwargs)
    for code, (rating, evidence) in (ratings or {}).items():
        OutcomeEvaluationFactory(
            evaluation=evaluation, area=area(code), rating=rating, evidence=evidence
        )
    return evaluation


def busy_group(project, year, hub_, *, schools: int = 2):
    """A completed group with places, people, held sessions, marks, a gap task and responses,
    and a signed-off evaluation of every area: the same shape at any number of groups."""
    group = WorkGroupFactory(
        project=project, academic_year=year, hub=hub_, status=WorkGroupStatus.COMPLETED
    )
    sessions = [past_session(group, number) for number in (1, 2)]
    record = SessionRecordFactory(session=sessions[0])
    for _ in range(schools):
        school = SchoolFactory(fsm_percentage=None)  # leaves the national median alone
        place = PlaceFactory(work_group=group, school=school, status=PlaceStatus.COMPLETED)
        registration = person_in(place, completion=Completion.COMPLETED)
        for session in sessions:
            AttendanceFactory(session=session, registration=registration)
        GapTaskResponseFactory(registration=registration, session_record=record)
    ratings = {a.code: (3, "Bar models used in every lesson.") for a in OutcomeArea.objects.all()}
    evaluate(group, ratings=ratings, key_findings="Reasoning improved.")
    return group


OUTCOME_AREAS = [
    ("teacher_learning", "Teachers' professional learning"),
    ("practice", "Practice development"),
    ("pupil_learning", "Pupils' learning"),
    ("school_approaches", "New approaches and policies across the school or department"),
]


def ensure_outcome_areas() -> list[OutcomeArea]:
    """The four areas come from a data migration, which transactional tests flush away."""
    return [
        OutcomeArea.objects.get_or_create(code=code, defaults={"name": name, "order": order})[0]
        for order, (code, name) in enumerate(OUTCOME_AREAS, start=1)
    ]
