"""Finding your school by part of its name, its town, postcode or URN; closed schools never."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import School, SchoolStatus
from participants.services import SCHOOL_RESULTS_LIMIT, search_schools
from tests.factories import LocalAuthorityFactory, SchoolFactory, TeacherFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = "/me/schools/"


@pytest.fixture
def schools():
    return {
        "hilltop": SchoolFactory(
            urn=107001, name="Hilltop Primary School", town="Ilkley", postcode="LS29 8AA"
        ),
        "st_marys": SchoolFactory(
            urn=107002, name="St Mary's Catholic Academy", town="Bradford", postcode="BD7 1AB"
        ),
        "closed": SchoolFactory(
            urn=107003,
            name="Hilltop Junior School",
            town="Ilkley",
            postcode="LS29 8AB",
            status=SchoolStatus.CLOSED,
        ),
        "proposed": SchoolFactory(
            urn=107004,
            name="Hilltop Free School",
            town="Ilkley",
            postcode="LS29 8AC",
            status=SchoolStatus.PROPOSED_TO_OPEN,
        ),
    }


def _names(query):
    return [school.name for school in search_schools(query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hilltop", ["Hilltop Primary School"]),
        ("TOP PRIM", ["Hilltop Primary School"]),
        ("st mary", ["St Mary's Catholic Academy"]),
        ("bradford", ["St Mary's Catholic Academy"]),
        ("ls29", ["Hilltop Primary School"]),
        ("LS29 8AA", ["Hilltop Primary School"]),
        ("bd7 1ab", ["St Mary's Catholic Academy"]),
        ("107002", ["St Mary's Catholic Academy"]),
        ("academy bradford", ["St Mary's Catholic Academy"]),
    ],
)
def test_schools_are_found_by_name_town_postcode_or_urn(schools, query, expected):
    assert _names(query) == expected


def test_closed_and_not_yet_open_schools_are_never_offered(schools):
    assert _names("ilkley") == ["Hilltop Primary School"]
    assert _names("107003") == []
    assert _names("107004") == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "zzzz",
        "99999999999999999999999",
        "'; DROP TABLE participants_school; --",
        "%",
        "_",
    ],
)
def test_empty_unknown_or_hostile_queries_find_nothing_and_break_nothing(schools, query):
    assert _names(query) == []
    assert School.objects.count() == 4


@pytest.mark.parametrize("query", ["²", "12²", "107002²", "①", "٣", "١٠٧٠٠٢"])
def test_digits_that_are_not_0_to_9_are_words_not_a_urn(schools, query):
    """ "²".isdigit() is true but int() refuses it; Arabic-Indic digits int() reads are not
    what anyone types for a URN. Neither is looked up as one, and nothing matches them."""
    assert _names(query) == []


def test_a_null_character_in_the_search_separates_words(schools):
    """The profile form without JavaScript posts what was typed straight to the search, and
    PostgreSQL refuses a null character in a query: it is read as a space."""
    assert _names("hilltop\x00") == ["Hilltop Primary School"]
    assert _names("\x00") == []


def test_an_oversized_query_is_cut_short_rather_than_refused(schools):
    assert _names("hilltop " + "x" * 10_000) == []
    assert _names("hilltop" + " " * 10_000 + "x") == ["Hilltop Primary School"]


def test_an_exact_urn_comes_first_then_names_that_start_with_the_words():
    local_authority = LocalAuthorityFactory()
    SchoolFactory(urn=120500, name="Oakfield School", local_authority=local_authority)
    SchoolFactory(urn=120501, name="Brook School", local_authority=local_authority)
    SchoolFactory(urn=120502, name="Alder 120500 School", local_authority=local_authority)
    SchoolFactory(urn=120503, name="Abbey Oak School", local_authority=local_authority)

    assert _names("120500") == ["Oakfield School", "Alder 120500 School"]
    assert _names("oak") == ["Oakfield School", "Abbey Oak School"]


def test_no_more_than_the_limit_are_returned():
    SchoolFactory.create_batch(SCHOOL_RESULTS_LIMIT + 5, name="Meadow School")

    assert len(_names("meadow")) == SCHOOL_RESULTS_LIMIT


def test_the_search_is_one_query(schools, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert _names("107002 ") == ["St Mary's Catholic Academy"]


# The page the profile form's script asks ----------------------------------------------------


def test_the_search_page_needs_sign_in(client, schools):
    response = client.get(SEARCH_URL, {"q": "hilltop"})

    assert response.status_code == 302


def test_the_search_page_lists_open_schools_as_radio_buttons(client, schools):
    client.force_login(TeacherFactory())

    page = client.get(SEARCH_URL, {"q": "hilltop"}).content.decode()

    assert "1 school found" in page
    assert 'type="radio" name="school"' in page
    assert "Hilltop Primary School, Ilkley, LS29 8AA (URN 107001)" in page
    assert "Hilltop Junior School" not in page


def test_the_search_page_keeps_the_chosen_school_and_ticks_it(client, schools):
    client.force_login(TeacherFactory())
    chosen = schools["st_marys"]

    page = client.get(SEARCH_URL, {"q": "hilltop", "selected": chosen.pk}).content.decode()

    assert f'value="{chosen.pk}" checked' in page
    assert "Hilltop Primary School" in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "<script>alert(1)</script>"},
        {"q": "x" * 5000},
        {"q": "hilltop", "selected": "abc"},
        {"q": "hilltop", "selected": "9" * 40},
        {},
    ],
)
def test_hostile_search_parameters_give_a_normal_answer(client, schools, params):
    client.force_login(TeacherFactory())

    response = client.get(SEARCH_URL, params)

    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize("query", ["²", "12²", "٣"])
def test_searching_for_digits_int_refuses_says_nothing_was_found(client, schools, query):
    client.force_login(TeacherFactory())

    response = client.get(SEARCH_URL, {"q": query, "selected": "²"})

    assert response.status_code == 200
    assert f"No open schools match “{query}”" in response.content.decode()


def test_a_null_character_in_the_search_address_is_a_bad_request_and_changes_nothing(
    client, schools
):
    client.force_login(TeacherFactory(school=schools["hilltop"]))

    response = client.get(SEARCH_URL, {"q": "hill\x00top"})

    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
    assert School.objects.count() == 4


def test_a_search_that_finds_nothing_says_what_to_try(client, schools):
    client.force_login(TeacherFactory())

    page = client.get(SEARCH_URL, {"q": "<b>zzz</b>"}).content.decode()

    assert "No open schools match “&lt;b&gt;zzz&lt;/b&gt;”" in page
    assert "postcode" in page


def _search_page_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH_URL, params)
    return len(queries), response.content.decode().count('type="radio"')


def test_the_search_page_queries_do_not_grow_with_schools(client):
    chosen = SchoolFactory(name="Riverside School")
    params = {"q": "meadow", "selected": chosen.pk}
    client.force_login(TeacherFactory())
    SchoolFactory.create_batch(10, name="Meadow School")
    client.get(SEARCH_URL, params)  # the signed-in person is read once, then from the cache
    small_queries, small_radios = _search_page_queries(client, params)

    SchoolFactory.create_batch(190, name="Meadow School")
    large_queries, large_radios = _search_page_queries(client, params)

    assert small_queries == large_queries
    assert (small_radios, large_radios) == (11, SCHOOL_RESULTS_LIMIT + 1)


# At national scale (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
def test_searching_25000_schools_is_one_limited_query_whatever_is_typed(require_postgres):
    """Speed is measured by the benchmark scripts; here, the shape that keeps it fast: one
    query, filtered and limited in the database, never the whole table in Python."""
    local_authority = LocalAuthorityFactory()
    towns = ["Leeds", "Bradford", "Ilkley", "Otley", "York", "Hull", "Sheffield", "Wakefield"]
    School.objects.bulk_create(
        School(
            urn=200000 + n,
            name=f"{['Oak', 'Ash', 'Elm', 'Birch', 'Hazel'][n % 5]}field {n} Primary School",
            town=towns[n % len(towns)],
            postcode=f"LS{n % 30} {n % 9}AB",
            local_authority=local_authority,
            status=SchoolStatus.CLOSED if n % 20 == 0 else SchoolStatus.OPEN,
        )
        for n in range(25_000)
    )

    for query in ["hazel", "field 1234", "sheffield", "LS12 3", "212345", "zzzz", "primary ls1"]:
        with CaptureQueriesContext(connection) as queries:
            found = list(search_schools(query))
        assert len(queries) == 1, query
        assert f"LIMIT {SCHOOL_RESULTS_LIMIT}" in queries[0]["sql"]
        assert len(found) <= SCHOOL_RESULTS_LIMIT
    assert [school.urn for school in search_schools("212345")] == [212345]
    assert search_schools("zzzz").count() == 0
