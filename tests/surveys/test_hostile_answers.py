"""No value sent to the survey pages makes them fail, and a refused one changes nothing.

Hypothesis sends the answering page and the script's endpoint generated values (text in any
script, control and null characters, huge and odd numbers, several values for one field,
missing and stray fields) mixed with the answers the page offers. Derandomized: never flaky.
"""

from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.reference import ensure_reference_data
from surveys.models import Answer, FreeTextAnswer, Response
from tests.factories import AcademicYearFactory, ProjectFactory
from tests.surveys.helpers import group_with_sessions, make_survey, people

SPECIAL = [
    "",
    "\x00",
    "4\x00",
    "\N{SUPERSCRIPT TWO}",
    "\N{ARABIC-INDIC DIGIT THREE}",
    "-1",
    "0",
    "3",
    "6",
    "9" * 30,
    "1e999",
    "NaN",
    "3.0",
    "x" * 6000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202e",
    "😀" * 60,
]
TEXT = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=20))
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))
HOSTILE = settings(max_examples=15, deadline=None, derandomize=True, database=None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # A browser test run before this module may have emptied the tables, reference data too.
        ensure_reference_data()
        year, project = AcademicYearFactory(), ProjectFactory()
        survey = make_survey(project, year)
        group = group_with_sessions(-7, 60, project=project, academic_year=year)
        teacher = people(group, 1)[0]
        names = [f"statement_{pk}" for pk in survey.statements.values_list("pk", flat=True)]
        names += [f"question_{pk}" for pk in survey.questions.values_list("pk", flat=True)]
        yield {"group": group, "teacher": teacher, "names": names}
        transaction.set_rollback(True)


def snapshot():
    return (
        sorted(Response.objects.values_list("pk", "submitted_at")),
        sorted(Answer.objects.values_list("response_id", "statement_id", "value")),
        sorted(FreeTextAnswer.objects.values_list("response_id", "question_id", "text")),
    )


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def payloads(names):
    offered = {name: st.sampled_from(["1", "2", "3", "4", "5"]) for name in names}
    fields = {name: st.one_of(value, VALUE) for name, value in offered.items()}
    extra = {"action": st.sampled_from(["continue", "back", "submit", "later", "x", "\x00"])}
    return st.builds(
        lambda known, stray: stray | known,
        st.fixed_dictionaries({}, optional={**fields, **extra}),
        st.dictionaries(TEXT, VALUE, max_size=1),
    )


def attack(world, url):
    client = Client(raise_request_exception=False)
    client.force_login(world["teacher"])

    @HOSTILE
    @given(payloads(world["names"]))
    def one_request(data):
        with rolled_back():
            before = snapshot()
            body = urlencode(data, doseq=True)
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            assert response.status_code < 500, data
            if response.status_code == 400:
                saved_draft = "Your answers so far are saved" in response.content.decode()
                assert saved_draft or snapshot() == before, data

    one_request()


@pytest.mark.django_db
def test_the_answering_page_takes_any_input(world):
    group = world["group"]
    for step in (1, 5):
        attack(world, reverse("surveys:step", args=[group.pk, "start", step]))


@pytest.mark.django_db
def test_the_scripts_endpoint_takes_any_input(world):
    attack(world, reverse("surveys:autosave", args=[world["group"].pk, "start"]))
