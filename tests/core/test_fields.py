"""JSON typed into the admin: an empty box is the field's default, and anything PostgreSQL or
the code could not use is refused next to the field, saying why."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.models import School
from tests.factories import NationalAdminFactory, SchoolFactory, SessionRecordFactory
from workgroups.models import SessionRecord

pytestmark = pytest.mark.django_db

UNSTORABLE = "This can't be stored: remove null characters"


@pytest.fixture
def national_client(client):
    client.force_login(NationalAdminFactory())
    return client


def _school_form(school, predecessor_urns):
    return {
        "urn": school.urn,
        "name": school.name,
        "phase": school.phase,
        "status": school.status,
        "is_state_funded": "on",
        "local_authority": school.local_authority_id,
        "predecessor_urns": predecessor_urns,
    }


@pytest.mark.parametrize("blank", ["", "   ", "null"])
def test_a_blank_predecessor_list_is_saved_as_none(national_client, blank):
    school = SchoolFactory(predecessor_urns=[100001])
    url = reverse("admin:participants_school_change", args=[school.pk])

    response = national_client.post(url, _school_form(school, blank))

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.predecessor_urns == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('{"a": 1}', "Give the URNs as a list of numbers, like [100001, 100002]"),
        ('["100001"]', "Give the URNs as a list of numbers"),
        ("[-5]", "Give the URNs as a list of numbers"),
        ("[99999999999999999999]", "Give the URNs as a list of numbers"),
        ('"100001"', "Give the URNs as a list of numbers"),
        ('["\\u0000"]', UNSTORABLE),
        ('["\\ud800"]', UNSTORABLE),
        ("[1e999]", UNSTORABLE),
        ("[NaN]", UNSTORABLE),
        ("[" * 5000 + "]" * 5000, "This is nested too deeply to store."),
        ("[1,", "Enter a valid JSON."),
    ],
)
def test_predecessors_that_are_not_a_list_of_urns_are_refused_and_nothing_changes(
    national_client, typed, message
):
    school = SchoolFactory(predecessor_urns=[100001])
    url = reverse("admin:participants_school_change", args=[school.pk])

    response = national_client.post(url, _school_form(school, typed))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["predecessor_urns"]
    assert any(error.startswith(message) for error in errors), errors
    school.refresh_from_db()
    assert school.predecessor_urns == [100001]


def test_a_list_of_urns_is_saved_and_history_follows_it(national_client):
    older = SchoolFactory()
    school = SchoolFactory()
    url = reverse("admin:participants_school_change", args=[school.pk])

    national_client.post(url, _school_form(school, f"[{older.urn}]"))

    school.refresh_from_db()
    assert school.lineage_urns() == {school.urn, older.urn}
    assert School.objects.count() == 2


def _notes_field():
    return SessionRecord._meta.get_field("outcome_notes").formfield()


@pytest.mark.parametrize("blank", ["", None, "null"])
def test_blank_outcome_notes_are_no_notes(blank):
    assert _notes_field().clean(blank) == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('["practice"]', 'Give the notes as {"area code": "notes"}, or leave them empty.'),
        ('{"practice": 3}', 'Give the notes as {"area code": "notes"}, or leave them empty.'),
        ('{"practice": "\\u0000"}', UNSTORABLE),
        ('{"\\u0000": "notes"}', UNSTORABLE),
    ],
)
def test_outcome_notes_that_are_not_text_by_area_are_refused_saying_how_to_write_them(
    typed, message
):
    """The record's admin page only shows notes; a form for them would say this."""
    record = SessionRecordFactory()
    field = SessionRecord._meta.get_field("outcome_notes")

    with pytest.raises(ValidationError) as refused:
        field.clean(_notes_field().clean(typed), record)

    assert any(text.startswith(message) for text in refused.value.messages)
