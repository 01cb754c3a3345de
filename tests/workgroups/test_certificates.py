"""A certificate of participation for each person who completed their group (their own
outcome, not their school's), and for nobody else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.evaluations.report_factories import AttendanceFactory
from tests.factories import RegistrationFactory, TeacherFactory
from tests.lead.factories import add_schools, led_group, past_session
from workgroups.certificates import certificate_for
from workgroups.models import AttendanceStatus, Completion, PlaceStatus, RegistrationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished():
    """A group whose first school completed: its teacher attended two of three sessions (90
    and 120 minutes), sent apologies for the third and completed; the second school withdrew."""
    group = led_group(name="Cedar Work Group")
    mine, theirs = add_schools(group, 2, people=1)
    lengths = [90, 120, 60]
    sessions = [past_session(group, days_ago=30 - 10 * n) for n in range(3)]
    for session, minutes in zip(sessions, lengths, strict=True):
        session.ends_at = session.starts_at + datetime.timedelta(minutes=minutes)
        session.save(update_fields=["ends_at"])
    AttendanceFactory(session=sessions[0], registration=mine, status=AttendanceStatus.PRESENT)
    AttendanceFactory(session=sessions[1], registration=mine, status=AttendanceStatus.LATE)
    AttendanceFactory(session=sessions[2], registration=mine, status=AttendanceStatus.APOLOGIES)
    mine.place.status = PlaceStatus.COMPLETED
    mine.place.save(update_fields=["status"])
    mine.completion = Completion.COMPLETED
    mine.save(update_fields=["completion"])
    theirs.place.status = PlaceStatus.WITHDRAWN
    theirs.place.save(update_fields=["status"])
    return group, mine, theirs, sessions


def test_the_certificate_names_the_work_and_counts_the_sessions_and_hours_attended(finished):
    group, mine, _theirs, sessions = finished

    certificate = certificate_for(mine.user, mine.pk)

    assert certificate.group == "Cedar Work Group"
    assert certificate.project == group.project.title
    assert certificate.hub == group.hub.name
    assert certificate.school == mine.place.school.name
    assert (certificate.sessions_attended, certificate.sessions_held) == (2, 3)
    assert certificate.hours == 3.5  # 90 + 120 minutes; apologies count for nothing
    assert certificate.completed_on == timezone.localdate(sessions[1].starts_at)


def test_no_certificate_for_anyone_else_or_before_the_place_completed(finished):
    _group, mine, theirs, _sessions = finished

    assert certificate_for(theirs.user, theirs.pk) is None  # their school withdrew
    assert certificate_for(TeacherFactory(), mine.pk) is None  # not theirs
    assert certificate_for(theirs.user, mine.pk) is None
    mine.status = RegistrationStatus.WITHDRAWN
    mine.save(update_fields=["status"])
    assert certificate_for(mine.user, mine.pk) is None


def test_the_person_downloads_it_as_a_pdf_from_their_registrations(client, finished):
    _group, mine, theirs, _sessions = finished
    url = reverse("workgroups:certificate", args=[mine.pk])
    client.force_login(mine.user)

    page = client.get(reverse("workgroups:my_registrations")).content.decode()
    response = client.get(url)

    assert f'href="{url}"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(theirs.user)
    assert client.get(url).status_code == 404
    own = reverse("workgroups:certificate", args=[theirs.pk])
    assert client.get(own).status_code == 404
    assert (
        "Certificate of participation"
        not in client.get(reverse("workgroups:my_registrations")).content.decode()
    )


def test_no_certificate_for_a_person_who_did_not_complete_though_their_school_did(client, finished):
    _group, mine, _theirs, _sessions = finished
    colleague = RegistrationFactory(place=mine.place, completion=Completion.NOT_COMPLETED)
    url = reverse("workgroups:certificate", args=[colleague.pk])
    client.force_login(colleague.user)

    page = client.get(reverse("workgroups:my_registrations")).content.decode()

    assert certificate_for(colleague.user, colleague.pk) is None
    assert f'href="{url}"' not in page
    assert "Did not complete" in page  # their own outcome, beside their school's "Completed"
    assert client.get(url).status_code == 404
    assert certificate_for(mine.user, mine.pk) is not None  # their school's colleague did
