"""Completing and changing a participant's profile: the service, the page and the redirects."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views import View

from participants.models import SchoolStatus, UserRole
from participants.services import ProfileError, update_profile
from participants.views import ProfileRequiredMixin, profile_required
from tests.factories import SchoolFactory, TeacherFactory, UserFactory, phase

pytestmark = pytest.mark.django_db

PROFILE_URL = "/me/profile/"


@pytest.fixture
def newcomer():
    """Someone who has just signed up: an email and a password, nothing else."""
    return UserFactory(first_name="", last_name="", role="")


@pytest.fixture
def school():
    return SchoolFactory(name="Hilltop Primary School", town="Ilkley", postcode="LS29 8AA")


def _profile_data(chosen_school, **overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": UserRole.TEACHER,
        "phases": [phase("primary").pk],
        "school_query": "",
        "school": chosen_school.pk,
    }
    return data | overrides


# The service --------------------------------------------------------------------------------


def test_update_profile_saves_every_detail(newcomer, school):
    update_profile(
        user=newcomer,
        first_name="  Ada ",
        last_name="Lovelace",
        role=UserRole.TEACHING_ASSISTANT,
        phases=[phase("primary"), phase("early_years")],
        school=school,
    )

    newcomer.refresh_from_db()
    assert (newcomer.first_name, newcomer.last_name) == ("Ada", "Lovelace")
    assert newcomer.role == UserRole.TEACHING_ASSISTANT
    assert newcomer.school == school
    assert {p.code for p in newcomer.phases.all()} == {"primary", "early_years"}
    assert newcomer.has_profile


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_name": "   "}, "first_name", "Enter your first name."),
        ({"last_name": ""}, "last_name", "Enter your last name."),
        ({"first_name": "A" * 5000}, "first_name", "100 characters or fewer"),
        ({"role": "headteacher"}, "role", "Choose your role from the list."),
        ({"school": None}, "school", "Choose your school."),
    ],
)
def test_update_profile_refuses_bad_details_and_saves_nothing(
    newcomer, school, change, field, message
):
    details = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "role": UserRole.TEACHER,
        "phases": [phase("primary")],
        "school": school,
    } | change

    with pytest.raises(ProfileError) as raised:
        update_profile(user=newcomer, **details)

    assert message in " ".join(raised.value.errors[field])
    newcomer.refresh_from_db()
    assert (newcomer.first_name, newcomer.school, newcomer.phases.count()) == ("", None, 0)


def test_update_profile_refuses_a_closed_school(newcomer):
    closed = SchoolFactory(name="Old Mill School", status=SchoolStatus.CLOSED)

    with pytest.raises(ProfileError, match="Old Mill School is closed"):
        update_profile(
            user=newcomer,
            first_name="Ada",
            last_name="Lovelace",
            role=UserRole.TEACHER,
            phases=[],
            school=closed,
        )
    newcomer.refresh_from_db()
    assert newcomer.school is None


# The page -----------------------------------------------------------------------------------


def test_profile_page_needs_sign_in(client):
    response = client.get(PROFILE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_page_shows_the_current_details(client):
    teacher = TeacherFactory(first_name="Grace", school__name="Brook Lane Academy")
    client.force_login(teacher)

    response = client.get(PROFILE_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Grace"' in page
    assert "Brook Lane Academy" in page
    assert reverse("account_email") in page
    assert reverse("account_change_password") in page


def test_completing_the_profile_saves_it_and_says_so(client, newcomer, school):
    client.force_login(newcomer)

    response = client.post(PROFILE_URL, _profile_data(school), follow=True)

    newcomer.refresh_from_db()
    assert newcomer.has_profile
    assert newcomer.school == school
    assert "Your profile is saved." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Enter your first name."),
        ({"last_name": "L" * 5000}, "Your last name must be 100 characters or fewer."),
        ({"role": "wizard"}, "Choose your role from the list."),
        ({"role": ""}, "Choose your role."),
        ({"phases": ["999999"]}, "Choose phases from the list."),
        ({"phases": ["abc"]}, "Choose phases from the list."),
        ({"school": "999999"}, "Choose an open school from the list."),
        ({"school": "abc"}, "Choose an open school from the list."),
        # Digits int() refuses ("²") or that no id is written with ("٣"), and a null character.
        ({"school": "²"}, "Choose an open school from the list."),
        ({"school": "1²"}, "Choose an open school from the list."),
        ({"school": "٣"}, "Choose an open school from the list."),
        ({"school": "\x00"}, "Null characters are not allowed."),
        ({"first_name": "Ada\x00"}, "Null characters are not allowed."),
        ({"school": ""}, "Find your school and choose it from the list."),
        ({"school_query": "q" * 101}, "Type at most 100 characters"),
    ],
)
def test_bad_profile_details_are_refused_with_a_message_and_nothing_saved(
    client, newcomer, school, overrides, message
):
    client.force_login(newcomer)

    response = client.post(PROFILE_URL, _profile_data(school, **overrides))

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    newcomer.refresh_from_db()
    assert not newcomer.has_profile
    assert newcomer.phases.count() == 0


def test_a_closed_schools_id_is_refused(client, newcomer):
    closed = SchoolFactory(name="Old Mill School", status=SchoolStatus.CLOSED)
    client.force_login(newcomer)

    response = client.post(PROFILE_URL, _profile_data(closed))

    assert "Choose an open school from the list." in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.school is None


def test_a_script_in_a_name_is_saved_as_text_and_shown_escaped(client, newcomer, school):
    client.force_login(newcomer)
    hostile = "<script>alert(1)</script>"

    client.post(PROFILE_URL, _profile_data(school, first_name=hostile))
    page = client.get(PROFILE_URL).content.decode()

    newcomer.refresh_from_db()
    assert newcomer.first_name == hostile
    assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_searching_for_a_school_without_javascript_keeps_what_was_typed_and_saves_nothing(
    client, newcomer, school
):
    SchoolFactory(name="Hillside Infants", town="Otley")
    client.force_login(newcomer)

    response = client.post(
        PROFILE_URL,
        _profile_data(school, school="", school_query="hill", find_school="1", first_name="Ada"),
    )

    page = response.content.decode()
    assert 'value="Ada"' in page
    assert "Hilltop Primary School, Ilkley, LS29 8AA (URN" in page
    assert "Hillside Infants" in page
    assert "There is a problem" not in page
    newcomer.refresh_from_db()
    assert newcomer.first_name == ""


@pytest.mark.parametrize("query", ["hill\x00", "²", "12²", "\x00" * 3])
def test_searching_without_javascript_for_odd_characters_saves_nothing(
    client, newcomer, school, query
):
    client.force_login(newcomer)

    response = client.post(
        PROFILE_URL,
        _profile_data(school, school="²", school_query=query, find_school="1"),
    )

    assert response.status_code == 200
    assert "Find your school" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_profile


def test_a_refused_form_keeps_the_chosen_school_ticked(client, newcomer, school):
    client.force_login(newcomer)

    response = client.post(PROFILE_URL, _profile_data(school, first_name=""))

    assert f'value="{school.pk}" checked' in response.content.decode()


# Going back to where they were going ---------------------------------------------------------


def test_after_the_profile_is_saved_the_teacher_goes_back_to_next(client, newcomer, school):
    client.force_login(newcomer)

    response = client.post(f"{PROFILE_URL}?next=/groups/7/register/", _profile_data(school))

    assert response.status_code == 302
    assert response["Location"] == "/groups/7/register/"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "https:/\\evil"]
)
def test_next_cannot_send_the_teacher_to_another_site(client, newcomer, school, evil):
    client.force_login(newcomer)

    page = client.get(PROFILE_URL, {"next": evil}).content.decode()
    response = client.post(PROFILE_URL, _profile_data(school, next=evil))

    assert "evil" not in page
    assert response["Location"] == PROFILE_URL


@pytest.mark.parametrize("odd", ["a\x00b", "groups\r\nSet-Cookie: x=1", "/groups/\t7/"])
def test_a_next_with_control_characters_is_ignored_and_the_profile_still_saved(
    client, newcomer, school, odd
):
    client.force_login(newcomer)

    response = client.post(PROFILE_URL, _profile_data(school, next=odd))

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    newcomer.refresh_from_db()
    assert newcomer.has_profile


def test_a_next_that_is_a_plain_word_is_followed_as_an_address_not_looked_up(
    client, newcomer, school
):
    client.force_login(newcomer)

    response = client.post(PROFILE_URL, _profile_data(school, next="home"))

    assert response.status_code == 302
    assert response["Location"] == "home"


class _RegisterView(ProfileRequiredMixin, View):
    def get(self, request):
        return HttpResponse("registration form")

    def post(self, request):
        return HttpResponse("registered")


@profile_required
def _register_view(request):
    return HttpResponse("registration form")


@pytest.mark.parametrize("view", [_RegisterView.as_view(), _register_view])
def test_a_teacher_without_a_profile_is_sent_to_complete_it_first(rf, newcomer, view):
    request = _request(rf.get("/groups/7/register/?role=lead"), newcomer)

    response = view(request)

    assert response.status_code == 302
    assert response["Location"] == f"{PROFILE_URL}?next=%2Fgroups%2F7%2Fregister%2F%3Frole%3Dlead"


@pytest.mark.parametrize("view", [_RegisterView.as_view(), _register_view])
def test_a_teacher_with_a_profile_goes_straight_through(rf, view):
    response = view(_request(rf.get("/groups/7/register/"), TeacherFactory()))

    assert response.content == b"registration form"


@pytest.mark.parametrize("view", [_RegisterView.as_view(), _register_view])
def test_someone_signed_out_is_asked_to_sign_in_first(rf, view):
    response = view(_request(rf.get("/groups/7/register/"), AnonymousUser()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_form_post_without_a_profile_comes_back_to_the_page_the_form_was_on(rf, newcomer):
    request = _request(
        rf.post("/groups/7/register/", HTTP_REFERER="http://testserver/groups/7/"), newcomer
    )

    response = _RegisterView.as_view()(request)

    assert response["Location"] == f"{PROFILE_URL}?next=%2Fgroups%2F7%2F"


def test_a_form_post_from_another_site_does_not_become_next(rf, newcomer):
    request = _request(
        rf.post("/groups/7/register/", HTTP_REFERER="https://evil.example/x"), newcomer
    )

    response = _RegisterView.as_view()(request)

    assert "evil" not in response["Location"]


def _request(request, user):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


# Query counts -------------------------------------------------------------------------------


def _queries(client, method, *args):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(*args)
    assert response.status_code == 200
    return len(queries)


def test_profile_page_queries_do_not_grow_with_schools(client):
    teacher = TeacherFactory(school__name="Hilltop Primary School")
    teacher.phases.set([phase("primary"), phase("secondary")])
    search = {"school_query": "hilltop", "school": teacher.school_id, "find_school": "1"}
    client.force_login(teacher)
    SchoolFactory.create_batch(10, name="Hilltop Academy")
    client.get(PROFILE_URL)  # the menu's per-person answer is cached from the first page on
    small = (_queries(client, "get", PROFILE_URL), _queries(client, "post", PROFILE_URL, search))

    SchoolFactory.create_batch(190, name="Hilltop Academy")
    large = (_queries(client, "get", PROFILE_URL), _queries(client, "post", PROFILE_URL, search))

    assert small == large
