"""Registering interest in a hub's offer, against a real PostgreSQL server where it races."""

import pytest

from projects.models import Interest
from projects.services import InterestError, register_interest
from tests.factories import OfferFactory
from tests.projects.helpers import running_project, teacher, year
from tests.support import at_once


@pytest.mark.django_db(transaction=True)
def test_interest_sent_twice_at_once_is_recorded_once_and_the_repeat_told_why(
    require_postgres, monkeypatch
):
    project = running_project()
    person = teacher()
    OfferFactory(project=project, hub=person.school.hub, academic_year=year())

    def register():
        return register_interest(user=person, project=project, note="After Easter.")

    results, errors = at_once(
        [register, register], meeting_at=Interest.objects, monkeypatch=monkeypatch
    )

    assert len(results) == 1
    assert [type(error) for error in errors] == [InterestError]
    assert str(errors[0]) == f"You have already told {person.school.hub.name} you are interested."
    assert Interest.objects.filter(user=person).count() == 1
