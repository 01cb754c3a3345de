"""A teacher's own data: the page, the download, and erasing the account."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.email import queue_email
from core.models import OutboxMessage
from evaluations.reports.collation import Scope, collate
from participants.models import User
from privacy import services as privacy
from projects.models import Interest
from tests.evaluations.report_factories import (
    AttendanceFactory,
    GapTaskResponseFactory,
    busy_group,
    hub,
    past_session,
)
from tests.factories import (
    AcademicYearFactory,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    OfferFactory,
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SessionRecordFactory,
    UserFactory,
    phase,
)
from tests.projects.helpers import PASSWORD, group, teacher
from workgroups import services
from workgroups.models import (
    Attendance,
    GapTaskResponse,
    Nomination,
    PlaceStatus,
    Registration,
    RegistrationStatus,
)

pytestmark = pytest.mark.django_db

MY_DATA = reverse("privacy:my_data")
DOWNLOAD = reverse("privacy:my_data_download")
ERASE = reverse("privacy:erase")
ERASED = reverse("privacy:erased")
WRONG_PASSWORD = "That is not your current password. Nothing has been changed."


def active_teacher(**kwargs):
    user = teacher(verified=True, **kwargs)
    user.phases.add(phase("primary"))
    return user


def activity(user, *, group_name="Bar models group", writing="Used bar models daily."):
    """A confirmed registration with a held session, an attendance mark and a gap-task reply."""
    registration = services.register(user=user, work_group=group(name=group_name))
    session = past_session(registration.work_group, 1)
    AttendanceFactory(session=session, registration=registration)
    record = SessionRecordFactory(session=session)
    GapTaskResponseFactory(
        registration=registration, session_record=record, what_i_did=writing, reflection=writing
    )
    return registration


def interest(user, note):
    return Interest.objects.create(offer=OfferFactory(), user=user, school=user.school, note=note)


def nominate(registration, email, invited_by):
    return Nomination.objects.create(
        place=registration.place,
        email=email,
        role=registration.role,
        invited_by=invited_by,
    )


def download(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_download_holds_everything_about_them(client):
    user = active_teacher(first_name="Ada", last_name="Lovelace")
    registration = activity(user)
    interest(user, "Keen on fluency.")
    nominate(registration, "colleague@example.org", invited_by=user)
    client.force_login(user)

    response, data = download(client)

    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response["Content-Type"].startswith("application/json")
    assert data["profile"]["first_name"] == "Ada"
    assert data["profile"]["email"] == user.email
    assert data["profile"]["school"]["urn"] == user.school.urn
    assert data["profile"]["phases_taught"] == ["Primary"]
    assert data["email_addresses"] == [{"email": user.email, "verified": True, "primary": True}]
    [row] = data["registrations"]
    assert row["group"] == "Bar models group"
    assert row["status"] == "Active"
    assert row["school_place_status"] == "Confirmed"
    assert data["attendance"][0]["status"] == "Present"
    assert data["gap_task_responses"][0]["what_i_did"] == "Used bar models daily."
    assert data["interests"][0]["note"] == "Keen on fluency."
    assert data["nominations_made"][0]["email"] == "colleague@example.org"
    assert data["llme_roles"] == []
    assert data["hub_staff_roles"] == []


def test_the_page_counts_exactly_what_the_download_lists(client):
    user = active_teacher()
    first = activity(user)
    activity(user, group_name="Second group")
    interest(user, "Keen.")
    nominate(first, "colleague@example.org", invited_by=user)
    nominate(first, user.email.upper(), invited_by=active_teacher())  # naming them, any case
    client.force_login(user)

    _response, data = download(client)
    page = client.get(MY_DATA).content.decode()

    assert len(data["registrations"]) == 2
    for label, kind in [
        ("Registrations for groups, with your school's place in each", "registrations"),
        ("Attendance marks from sessions", "attendance"),
        ("What you did between sessions, and your reflections", "gap_task_responses"),
        ("Projects you registered interest in", "interests"),
        ("Colleagues you named for your school's places", "nominations_made"),
        ("Invitations that name you", "nominations_naming_you"),
        ("Email addresses you sign in with", "email_addresses"),
    ]:
        assert f"{label}: {len(data[kind])}</li>" in page, kind


def test_download_and_page_never_show_other_peoples_data(client):
    user = active_teacher()
    activity(user)
    other = active_teacher(first_name="Grace", last_name="Hopper")
    theirs = activity(other, group_name="Their own group", writing="Their private reflection.")
    interest(other, "Their private note.")
    nominate(theirs, "their.colleague@example.org", invited_by=other)
    client.force_login(user)

    for response in (client.get(DOWNLOAD), client.get(MY_DATA)):
        body = response.content.decode()
        for secret in (
            other.email,
            "Hopper",
            "Their own group",
            "Their private reflection.",
            "Their private note.",
            "their.colleague@example.org",
        ):
            assert secret not in body


def build_registrations(user, count):
    for number in range(count):
        activity(user, group_name=f"Group {number}")
    interest(user, "Interested.")


@pytest.mark.parametrize("url", [DOWNLOAD, MY_DATA])
def test_download_and_page_issue_the_same_queries_for_2_and_20_registrations(url):
    counts = []
    for size in (2, 20):
        user = active_teacher()
        build_registrations(user, size)
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_my_data_page_shows_their_details_escaped_and_links_to_download_and_erase(client):
    user = active_teacher(first_name="<script>alert(1)</script>")
    activity(user)
    client.force_login(user)

    body = client.get(MY_DATA, {"page": "abc", "phase": "<script>"}).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert "Registrations for groups, with your school's place in each: 1" in body
    assert DOWNLOAD in body
    assert ERASE in body


def test_profile_page_links_to_your_data(client):
    client.force_login(active_teacher())

    assert MY_DATA in client.get(reverse("participants:profile")).content.decode()


@pytest.mark.parametrize("url", [MY_DATA, DOWNLOAD, ERASE])
def test_pages_ask_visitors_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_erasing_withdraws_registrations_and_promotes_the_waiting_list():
    full = group(capacity=1)
    user = active_teacher()
    registration = services.register(user=user, work_group=full)
    waiting = services.register(user=teacher(), work_group=full)
    assert waiting.place.status == PlaceStatus.WAITLISTED

    privacy.erase_user(user=user)

    registration.refresh_from_db()
    waiting.place.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert Registration.objects.get(pk=registration.pk).place.status == PlaceStatus.WITHDRAWN
    assert waiting.place.status == PlaceStatus.CONFIRMED


def figures(project, year, now):
    """The report's figures as of ``now``, leaving out when they were worked out."""
    collated = collate(Scope(project=project, year=year), now=now, on_progress=lambda _: None)
    return {key: value for key, value in collated.items() if key != "as_of"}


def test_erasing_keeps_attendance_and_national_figures_unchanged():
    year = AcademicYearFactory()
    project = ProjectFactory()
    project.years.add(year)
    completed = busy_group(project, year, hub("Alpha Maths Hub"), schools=3)
    registration = Registration.objects.filter(work_group=completed).first()
    user = registration.user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    marks = Attendance.objects.filter(registration__user=user).count()
    as_of = timezone.now() + datetime.timedelta(days=1)
    before = figures(project, year, as_of)

    privacy.erase_user(user=user)

    assert figures(project, year, as_of) == before
    assert Attendance.objects.filter(registration__user=user).count() == marks == 2
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACTIVE
    assert registration.place.status == PlaceStatus.COMPLETED
    assert GapTaskResponse.objects.filter(registration__user=user).count() == 1


def test_erasing_removes_their_name_email_writing_and_open_invitations():
    user = active_teacher(first_name="Ada", last_name="Lovelace")
    old_email, old_token = user.email, user.calendar_token
    EmailAddress.objects.create(user=user, email="Ada.Home@example.org", verified=True)
    registration = activity(user, writing="Something personal.")
    note = interest(user, "A personal note.")
    made = nominate(registration, "colleague@example.org", invited_by=user)
    leader = teacher(school=user.school)
    naming_them = nominate(
        RegistrationFactory(user=leader, place=PlaceFactory(school=user.school)),
        "ada.home@example.org",
        invited_by=leader,
    )
    someone_elses = nominate(registration, "other@example.org", invited_by=leader)

    privacy.erase_user(user=user)

    user = User.objects.get(pk=user.pk)
    assert user.get_full_name() == "Erased participant"
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert not user.has_usable_password()
    assert not user.is_active
    assert user.calendar_token != old_token
    assert not user.phases.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not User.objects.filter(email=old_email).exists()
    response = GapTaskResponse.objects.get(registration=registration)
    assert (response.what_i_did, response.reflection) == ("", "")
    note.refresh_from_db()
    assert note.note == ""
    assert not Nomination.objects.filter(pk__in=[made.pk, naming_them.pk]).exists()
    assert Nomination.objects.filter(pk=someone_elses.pk).exists()


def test_erasing_deletes_the_emails_sent_to_them_and_still_sends_the_last_ones(
    django_capture_on_commit_callbacks,
):
    user = active_teacher()
    EmailAddress.objects.create(user=user, email="Ada.Home@example.org", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.register(user=user, work_group=group())
        queue_email(to=["ada.home@example.org"], subject="Sent", body="To the other address")
        queue_email(to=["someone.else@example.org"], subject="Not theirs", body="")
    queue_email(to=[user.email], subject="Not sent yet", body="")

    privacy.erase_user(user=user)

    assert set(OutboxMessage.objects.values_list("subject", flat=True)) == {
        "Not theirs",
        "Not sent yet",
        "You have withdrawn from " + Registration.objects.get(user=user).work_group.name,
    }


def test_erased_person_cannot_sign_in_and_their_other_sessions_end():
    user = active_teacher()
    elsewhere = Client()
    elsewhere.force_login(user)
    old_email = user.email

    privacy.erase_user(user=user)

    assert elsewhere.get(MY_DATA).status_code == 302
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": old_email, "password": PASSWORD})
    assert SESSION_KEY not in fresh.session
    assert not fresh.login(email=old_email, password=PASSWORD)


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_erasing_leaves_no_session_naming_them_in_the_cache_or_the_database():
    from django.contrib.sessions.backends.cached_db import SessionStore

    user = active_teacher()
    elsewhere = Client()
    elsewhere.force_login(user)
    session_key = elsewhere.session.session_key
    store = SessionStore(session_key)
    assert store.load().get(SESSION_KEY) == str(user.pk)  # read once: now in the cache too
    assert cache.get(store.cache_key) is not None

    privacy.erase_user(user=user)

    assert cache.get(store.cache_key) is None
    assert not SessionStore().exists(session_key)


def test_erasing_twice_is_harmless():
    user = active_teacher()
    registration = activity(user)
    privacy.erase_user(user=user)
    once = User.objects.values("first_name", "email", "is_active").get(pk=user.pk)

    privacy.erase_user(user=user)

    assert User.objects.values("first_name", "email", "is_active").get(pk=user.pk) == once
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN


@pytest.mark.parametrize(
    "make",
    [
        lambda: NationalAdminFactory(),
        lambda: HubMembershipFactory().user,
        lambda: LLMEFactory().user,
        lambda: UserFactory(is_staff=True),
    ],
    ids=["national", "hub_staff", "llme", "staff"],
)
def test_accounts_that_run_hubs_or_lead_groups_are_refused(client, make):
    user = make()
    name = user.get_full_name()

    with pytest.raises(privacy.PrivacyError) as refused:
        privacy.erase_user(user=user)

    assert refused.value.reasons == [privacy.STAFF_REFUSAL]
    user.refresh_from_db()
    assert (user.get_full_name(), user.is_active) == (name, True)
    client.force_login(user)
    page = client.get(ERASE).content.decode()
    assert "ask the national team to close it" in page
    assert 'name="password"' not in page
    response = client.post(ERASE, {"confirm": "on", "password": PASSWORD})
    assert "ask the national team to close it" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


def test_erase_page_says_what_happens_and_which_groups_they_leave(client):
    user = active_teacher()
    services.register(user=user, work_group=group(name="Fractions group"))
    client.force_login(user)

    body = client.get(ERASE).content.decode()

    assert "Fractions group" in body
    assert "Your name and email addresses are removed" in body
    assert "kept without your name" in body
    assert 'name="password"' in body
    assert "csrfmiddlewaretoken" in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"confirm": "on", "password": "wrong password"}, "password", WRONG_PASSWORD),
        ({"confirm": "on", "password": "x" * 5000}, "password", WRONG_PASSWORD),
        ({"confirm": "on", "password": ""}, "password", "Enter your current password."),
        (
            {"password": PASSWORD},
            "confirm",
            "Tick the box to confirm you want your account erased.",
        ),
        ({"confirm": "on", "password": "<script>x</script>"}, "password", WRONG_PASSWORD),
    ],
    ids=["wrong", "oversized", "missing", "unticked", "hostile"],
)
def test_wrong_or_missing_answers_change_nothing(client, data, field, message):
    user = active_teacher()
    registration = services.register(user=user, work_group=group())
    client.force_login(user)

    response = client.post(ERASE, data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'href="#id_{field}"' in body
    assert "<script>x</script>" not in body
    user.refresh_from_db()
    assert user.is_active
    assert user.get_full_name() != "Erased participant"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACTIVE
    assert client.get(MY_DATA).status_code == 200


def test_erasing_through_the_page_signs_them_out_and_says_so(client):
    user = active_teacher()
    registration = services.register(user=user, work_group=group())
    client.force_login(user)

    response = client.post(ERASE, {"confirm": "on", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(ERASED, 302)]
    assert "Your account has been erased" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(MY_DATA).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert not User.objects.get(pk=user.pk).is_active
