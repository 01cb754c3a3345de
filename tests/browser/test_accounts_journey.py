"""A teacher creates an account, confirms it, signs in and completes their profile in Chromium.

The live server runs in this process, so allauth's emails (sent by the eager Celery task once
the transaction commits) land in ``django.core.mail.outbox``, where the test reads the links.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from participants.models import SchoolStatus
from tests.factories import LocalAuthorityFactory, SchoolFactory, TeacherFactory, phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "sam.teacher@example.org"
PASSWORD = "a long and unusual passphrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def schools():
    local_authority = LocalAuthorityFactory()
    for code in ("early_years", "primary", "secondary", "post_16"):
        phase(code)
    SchoolFactory(
        name="Hilltop Primary School",
        town="Ilkley",
        postcode="LS29 8AA",
        urn=107001,
        local_authority=local_authority,
    )
    SchoolFactory(
        name="Hilltop Junior School",
        town="Ilkley",
        postcode="LS29 8AB",
        urn=107003,
        status=SchoolStatus.CLOSED,
        local_authority=local_authority,
    )
    SchoolFactory(name="Brook Lane Academy", town="Otley", local_authority=local_authority)


def _last_link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    return re.search(r"https?://\S+", message.body).group(0)


def _check(page, axe_check, shoot, name: str) -> None:
    axe_check(name)
    shoot(name)


def test_a_teacher_signs_up_confirms_signs_in_and_completes_their_profile(
    page, live_server, schools, shoot, axe_check
):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    _check(page, axe_check, shoot, "accounts-signup")

    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    _check(page, axe_check, shoot, "accounts-signup-errors")

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _check(page, axe_check, shoot, "accounts-verification-sent")

    page.goto(_last_link(EMAIL))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    _check(page, axe_check, shoot, "accounts-confirm-email")
    page.get_by_role("button", name="Confirm my email address").click()

    # Where they were going: the catalogue, which sent them to sign in.
    page.goto(f"{live_server.url}/accounts/login/?next=/projects/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    _check(page, axe_check, shoot, "accounts-login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    assert "next=%2Fprojects%2F" in page.url
    _check(page, axe_check, shoot, "profile-new")

    page.get_by_role("button", name="Save your profile").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your first name.")
    _check(page, axe_check, shoot, "profile-errors")

    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Teacher", exact=True).check()
    page.get_by_label("Primary", exact=True).check()

    # The school, with the keyboard only: type, tab to the list, choose, save.
    page.get_by_label("Primary", exact=True).focus()
    for _ in range(3):  # Secondary, Post-16, then the school search box
        page.keyboard.press("Tab")
    expect(page.get_by_label("Find your school")).to_be_focused()
    page.keyboard.type("hilltop")
    expect(page.get_by_role("status")).to_have_text("1 school found. Choose yours:")
    expect(page.get_by_text("Hilltop Junior School")).to_have_count(0)
    _check(page, axe_check, shoot, "profile-school-found")
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first school
    school = page.get_by_label(re.compile("Hilltop Primary School"))
    expect(school).to_be_focused()
    page.keyboard.press("Space")
    expect(school).to_be_checked()
    page.keyboard.press("Tab")
    reminders = page.get_by_label("Email me reminders")
    expect(reminders).to_be_focused()
    expect(reminders).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save your profile")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/projects/")
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    _check(page, axe_check, shoot, "profile-saved-back-to-projects")

    page.goto(f"{live_server.url}/me/profile/")
    expect(page.get_by_label(re.compile("Hilltop Primary School"))).to_be_checked()
    _check(page, axe_check, shoot, "profile-complete")

    page.get_by_role("link", name="Change your email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email addresses")
    _check(page, axe_check, shoot, "accounts-email")

    page.goto(f"{live_server.url}/accounts/password/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    _check(page, axe_check, shoot, "accounts-password-change-errors")

    page.goto(f"{live_server.url}/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    _check(page, axe_check, shoot, "accounts-logout")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_a_teacher_who_forgot_their_password_resets_it(page, live_server, shoot, axe_check):
    teacher = TeacherFactory(email="jo.reset@example.org")
    EmailAddress.objects.create(user=teacher, email=teacher.email, verified=True, primary=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    _check(page, axe_check, shoot, "accounts-password-reset")
    page.get_by_label("Email").fill(teacher.email)
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _check(page, axe_check, shoot, "accounts-password-reset-done")

    page.goto(_last_link(teacher.email))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    _check(page, axe_check, shoot, "accounts-password-reset-from-key")
    page.get_by_label(re.compile(r"^\s*New password\W*$")).fill(PASSWORD)
    page.get_by_label("Type the new password again").fill(PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    _check(page, axe_check, shoot, "accounts-password-reset-from-key-done")

    page.get_by_role("main").get_by_role("link", name="sign in").click()
    page.get_by_label("Email").fill(teacher.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
