"""Small builders for the teacher-facing pages' tests (on top of tests/factories.py)."""

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from tests.factories import (
    AcademicYearFactory,
    ProjectFactory,
    SchoolFactory,
    SessionFactory,
    TeacherFactory,
    WorkGroupFactory,
)

PASSWORD = "correct horse battery"


def year():
    return AcademicYearFactory()


def running_project(**kwargs):
    project = ProjectFactory(**kwargs)
    project.years.add(year())
    return project


def group(project=None, sessions=0, **kwargs):
    work_group = WorkGroupFactory(
        project=project or running_project(), academic_year=year(), **kwargs
    )
    start = timezone.now() + datetime.timedelta(days=7)
    for number in range(1, sessions + 1):
        SessionFactory(
            work_group=work_group,
            number=number,
            starts_at=start + datetime.timedelta(weeks=number),
            ends_at=start + datetime.timedelta(weeks=number, hours=2),
        )
    return work_group


def teacher(school=None, verified=False, **kwargs):
    user = TeacherFactory(school=school or SchoolFactory(), **kwargs)
    if verified:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
