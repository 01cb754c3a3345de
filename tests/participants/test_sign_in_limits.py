"""Failed sign-ins are slowed without ever locking the owner out for a stranger's guesses.

The limits (settings.ACCOUNT_RATE_LIMITS["login_failed"]) count failures per client address,
and per email address from one client address. Behind proxies the client's address is the one
the nearest trusted proxy saw (ALLAUTH_TRUSTED_PROXY_COUNT); a forwarded address the client wrote
itself counts for nothing.
"""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
RIGHT = "correct horse battery"
STRANGER = "203.0.113.9"
OWNER = "198.51.100.7"
TOO_MANY = "Too many failed attempts to sign in"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner():
    user = TeacherFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _attempt(client, email, password, **headers):
    return client.post(LOGIN, {"login": email, "password": password}, **headers)


def test_a_strangers_guesses_do_not_stop_the_owner_signing_in_from_their_own_address(client, owner):
    guesses = [_attempt(client, owner.email, f"guess {n}", REMOTE_ADDR=STRANGER) for n in range(30)]

    signed_in = _attempt(client, owner.email, RIGHT, REMOTE_ADDR=OWNER)

    assert TOO_MANY in guesses[-1].content.decode(), "the stranger is slowed"
    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session


def test_repeated_guesses_at_one_account_from_one_address_are_slowed(client, owner):
    first = [_attempt(client, owner.email, f"guess {n}", REMOTE_ADDR=STRANGER) for n in range(5)]
    sixth = _attempt(client, owner.email, "guess 6", REMOTE_ADDR=STRANGER)

    assert all(TOO_MANY not in response.content.decode() for response in first)
    assert TOO_MANY in sixth.content.decode()


def test_guessing_many_accounts_from_one_address_is_slowed(client, owner):
    for n in range(20):
        _attempt(client, f"someone{n}@example.org", "guess", REMOTE_ADDR=STRANGER)

    next_guess = _attempt(client, "someone.else@example.org", "guess", REMOTE_ADDR=STRANGER)
    owner_elsewhere = _attempt(client, owner.email, RIGHT, REMOTE_ADDR=OWNER)

    assert TOO_MANY in next_guess.content.decode()
    assert owner_elsewhere.status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_limit(client, owner):
    for n in range(6):
        response = _attempt(
            client,
            owner.email,
            f"guess {n}",
            REMOTE_ADDR=STRANGER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    assert TOO_MANY in response.content.decode()


def test_behind_a_trusted_proxy_each_client_is_counted_by_the_address_the_proxy_saw(
    client, owner, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(30):
        _attempt(
            client,
            owner.email,
            f"guess {n}",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"{OWNER}, {STRANGER}",  # the stranger wrote the first entry
        )

    signed_in = _attempt(client, owner.email, RIGHT, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)

    assert signed_in.status_code == 302
