"""Creating an account, confirming the email address, signing in and out, resetting a password.

allauth's emails go through the Celery email task after the transaction commits, so each step
that sends one runs inside ``django_capture_on_commit_callbacks(execute=True)``. The rate limits
stay switched on; the cache that counts them is cleared between tests.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from participants.models import User
from tests.factories import (
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase"
PROFILE_URL = "/me/profile/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def _sign_up(client, capture, email="new.teacher@example.org", **extra):
    with capture(execute=True):
        return client.post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra},
        )


def _verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_signup", "Create an account"),
        ("account_login", "Sign in"),
        ("account_reset_password", "Reset your password"),
        ("account_reset_password_done", "Check your email"),
        ("account_email_verification_sent", "Check your email"),
    ],
)
def test_account_pages_use_the_sites_layout_and_friendly_words(client, name, heading):
    page = client.get(reverse(name)).content.decode()

    assert f'<h1 class="mb-3">{heading}</h1>' in page
    assert "Skip to main content" in page
    assert "Sign Up" not in page


def test_signing_up_sends_a_confirmation_link_that_leads_to_the_profile(
    client, django_capture_on_commit_callbacks
):
    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.teacher@example.org"]
    assert mail.outbox[0].subject.startswith("[Maths Hubs]")
    domain = urlsplit(settings.SITE_URL).netloc
    assert f"to register an account on {domain}." in mail.outbox[0].body
    assert client.get(PROFILE_URL).status_code == 302, "not signed in before confirming"

    confirm_url = _link_in(mail.outbox[0])
    assert "Confirm your email address" in client.get(confirm_url).content.decode()
    client.post(confirm_url)
    assert EmailAddress.objects.get(email="new.teacher@example.org").verified

    response = client.post(
        reverse("account_login"), {"login": "new.teacher@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(PROFILE_URL)
    assert "Your profile" in client.get(response["Location"]).content.decode()


def test_signing_in_before_confirming_is_sent_to_check_their_email(
    client, django_capture_on_commit_callbacks
):
    _sign_up(client, django_capture_on_commit_callbacks)
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "new.teacher@example.org", "password": PASSWORD}
        )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(PROFILE_URL).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "", "password1": ""}, "This field is required."),
        ({"password2": "something else"}, "You must type the same password each time."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"email": "x" * 300 + "@example.org"}, "must be 254 characters or fewer"),
    ],
)
def test_bad_sign_up_details_are_refused_with_a_summary_and_no_account(client, data, message):
    details = {"email": "new.teacher@example.org", "password1": PASSWORD, "password2": PASSWORD}

    response = client.post(reverse("account_signup"), details | data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signing_up_with_a_script_as_the_email_shows_it_escaped(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "<script>alert(1)</script>", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert "<script>alert(1)</script>" not in response.content.decode()


def test_signing_up_again_with_a_used_address_creates_no_second_account(
    client, django_capture_on_commit_callbacks
):
    _verified(UserFactory(email="taken@example.org"))

    _sign_up(client, django_capture_on_commit_callbacks, email="taken@example.org")

    assert User.objects.filter(email="taken@example.org").count() == 1


def test_a_teacher_with_a_profile_signs_in_to_where_they_were_going(client):
    teacher = _verified(TeacherFactory())

    response = client.post(
        f"{reverse('account_login')}?next=/projects/",
        {"login": teacher.email, "password": "correct horse battery"},
    )

    assert response["Location"] == "/projects/"


def test_first_sign_in_goes_through_the_profile_and_keeps_next(client):
    newcomer = _verified(UserFactory(first_name="", last_name="", role=""))

    response = client.post(
        f"{reverse('account_login')}?next=/groups/7/register/",
        {"login": newcomer.email, "password": "correct horse battery"},
    )

    assert response["Location"] == f"{PROFILE_URL}?next=%2Fgroups%2F7%2Fregister%2F"


def test_hub_staff_sign_in_straight_to_the_admin_without_a_profile(client):
    manager = _verified(UserFactory(first_name="", is_staff=True))

    response = client.post(
        f"{reverse('account_login')}?next=/admin/",
        {"login": manager.email, "password": "correct horse battery"},
    )

    assert response["Location"] == "/admin/"


def test_sign_in_refuses_a_next_on_another_site(client):
    newcomer = _verified(UserFactory(first_name="", last_name="", role=""))

    response = client.post(
        f"{reverse('account_login')}?next=https://evil.example/",
        {"login": newcomer.email, "password": "correct horse battery"},
    )

    assert "evil" not in response["Location"]


def test_wrong_password_is_refused_and_repeated_failures_are_rate_limited(client):
    teacher = _verified(TeacherFactory())
    attempt = {"login": teacher.email, "password": "wrong"}

    first = client.post(reverse("account_login"), attempt)
    for _ in range(5):
        last = client.post(reverse("account_login"), attempt)
    right = client.post(
        reverse("account_login"), {"login": teacher.email, "password": "correct horse battery"}
    )

    assert "There is a problem" in first.content.decode()
    assert "Too many failed attempts to sign in" in last.content.decode()
    assert right.status_code != 302, "still locked out with the right password"


def test_signing_out_asks_first_then_signs_out(client):
    teacher = _verified(TeacherFactory())
    client.force_login(teacher)

    page = client.get(reverse("account_logout")).content.decode()
    client.post(reverse("account_logout"))

    assert "Are you sure you want to sign out?" in page
    assert client.get(PROFILE_URL).status_code == 302


def test_a_forgotten_password_is_reset_through_an_emailed_link(
    client, django_capture_on_commit_callbacks
):
    teacher = _verified(TeacherFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": teacher.email})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"Hello from {settings.SITE_NAME}!" in body
    assert f"Thank you for using {settings.SITE_NAME}!" in body
    assert "Hello from !" not in body

    key_url = client.get(_link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    page = client.get(key_url).content.decode()
    assert "Choose a new password" in page
    response = client.post(key_url, {"password1": PASSWORD, "password2": PASSWORD})

    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert client.login(email=teacher.email, password=PASSWORD)


def test_a_used_reset_link_says_it_has_expired(client, django_capture_on_commit_callbacks):
    teacher = _verified(TeacherFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": teacher.email})
    key_url = client.get(_link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(key_url, {"password1": PASSWORD, "password2": PASSWORD})

    page = client.get(_link_in(mail.outbox[0]), follow=True).content.decode()

    assert "This link has expired" in page


def test_a_reset_for_an_unknown_address_gives_nothing_away(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response["Location"] == reverse("account_reset_password_done")
    assert not any("/password/reset/key/" in message.body for message in mail.outbox)


def test_changing_password_needs_the_current_one(client):
    teacher = _verified(TeacherFactory())
    client.force_login(teacher)

    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.post(
        reverse("account_change_password"),
        {"oldpassword": "correct horse battery", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert "There is a problem" in refused.content.decode()
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_adding_an_email_address_sends_it_a_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    teacher = _verified(TeacherFactory())
    client.force_login(teacher)

    page = client.get(reverse("account_email")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_email"), {"action_add": "", "email": "new.address@example.org"}
        )

    assert "Your email addresses" in page
    assert mail.outbox[-1].to == ["new.address@example.org"]
    assert not EmailAddress.objects.get(email="new.address@example.org").verified


@pytest.mark.parametrize(
    ("make", "landing"),
    [
        (lambda: TeacherFactory(), "/groups/mine/"),
        (lambda: LLMEFactory(user__school=SchoolFactory()).user, "/lead/"),
        (lambda: HubMembershipFactory(mfa=False, user__school=SchoolFactory()).user, "/admin/"),
        (
            lambda: (
                HubMembershipFactory(
                    mfa=False, user__is_staff=False, user__school=SchoolFactory()
                ).user
            ),
            "/reports/",
        ),
        (lambda: NationalAdminFactory(mfa=False), "/reports/"),
    ],
    ids=["teacher", "lead", "hub staff", "hub staff without the admin", "national team"],
)
def test_signing_in_leads_each_person_to_what_needs_them(client, make, landing):
    person = _verified(make())

    response = client.post(
        reverse("account_login"), {"login": person.email, "password": "correct horse battery"}
    )

    assert response["Location"] == landing
