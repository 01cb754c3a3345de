"""Building blocks for the lead area's tests: a group with schools, people and past sessions."""

import datetime

from django.utils import timezone

from projects.models import OutcomeArea
from tests.factories import (
    LLMEFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SessionFactory,
    WorkGroupFactory,
)
from workgroups.models import WorkGroupStatus


def led_group(hub=None, lead=None, **kwargs):
    """A running group whose project targets every outcome area, with one lead."""
    project = kwargs.pop("project", None) or ProjectFactory()
    project.outcome_areas.set(OutcomeArea.objects.all())
    extra = {"hub": hub} if hub else {}
    group = WorkGroupFactory(project=project, status=WorkGroupStatus.RUNNING, **extra, **kwargs)
    group.leads.add(lead or LLMEFactory(hub=group.hub))
    return group


def past_session(group, days_ago=7, **kwargs):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return SessionFactory(
        work_group=group, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **kwargs
    )


def add_schools(group, count, people=2):
    """``count`` schools with a confirmed place and ``people`` participants each."""
    registrations = []
    for _ in range(count):
        place = PlaceFactory(work_group=group)
        registrations += [RegistrationFactory(place=place) for _ in range(people)]
    return registrations
