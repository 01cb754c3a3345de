"""When the start and end surveys of a group are open."""

import datetime

import pytest

from surveys import schedule
from surveys.models import Occasion
from tests.surveys.helpers import TODAY, group_with_sessions
from workgroups.models import WorkGroup, WorkGroupStatus

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def windows(group, today):
    group = schedule.with_session_days(WorkGroup.objects.filter(pk=group.pk)).get()
    return {o: schedule.window(group, o, today) for o in Occasion.values}


def states(group, today):
    return {o: w.state for o, w in windows(group, today).items()}


def test_start_opens_on_the_first_session_day_and_closes_when_the_end_opens():
    group = group_with_sessions(10, 40, 70, status=WorkGroupStatus.FULL)
    first, last = TODAY() + 10 * DAY, TODAY() + 70 * DAY

    assert states(group, first - DAY) == {"start": "not_yet", "end": "not_yet"}
    assert states(group, first) == {"start": "open", "end": "not_yet"}
    assert states(group, last - DAY) == {"start": "open", "end": "not_yet"}
    assert states(group, last) == {"start": "closed", "end": "open"}
    assert windows(group, first)["start"].closes_on == last - DAY


def test_end_stays_open_for_six_weeks_after_the_last_session():
    group = group_with_sessions(-30, 5)
    last = TODAY() + 5 * DAY

    end = windows(group, last + schedule.END_OPEN_DAYS * DAY)["end"]
    assert end.state == "open"
    assert end.closes_on == last + schedule.END_OPEN_DAYS * DAY
    assert states(group, last + (schedule.END_OPEN_DAYS + 1) * DAY)["end"] == "closed"


def test_a_running_group_opens_its_start_survey_before_its_first_session():
    group = group_with_sessions(3, 60, status=WorkGroupStatus.RUNNING)

    assert states(group, TODAY()) == {"start": "open", "end": "not_yet"}


def test_cancelled_sessions_do_not_count():
    group = group_with_sessions(-5, 20, 40, status=WorkGroupStatus.FULL)
    group.sessions.filter(number=1).update(cancelled=True)
    group.sessions.filter(number=3).update(cancelled=True)

    found = windows(group, TODAY())
    assert found["start"].state == "not_yet"
    assert found["start"].opens_on == TODAY() + 20 * DAY
    assert found["end"].opens_on == TODAY() + 20 * DAY


@pytest.mark.parametrize("status", [WorkGroupStatus.CANCELLED, WorkGroupStatus.DRAFT])
def test_nothing_opens_in_a_cancelled_or_draft_group(status):
    group = group_with_sessions(-40, 0, status=status)

    assert not any(w.is_open for w in windows(group, TODAY()).values())


def test_a_group_with_no_sessions_opens_no_end_survey():
    group = group_with_sessions(status=WorkGroupStatus.RUNNING)

    assert states(group, TODAY()) == {"start": "open", "end": "not_yet"}
    assert windows(group, TODAY())["end"].opens_on is None
