"""A teacher sees their data, downloads it, erases their account and cannot sign in again."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import SchoolFactory
from tests.projects.helpers import PASSWORD, group, teacher
from workgroups import services
from workgroups.models import PlaceStatus, RegistrationStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def look(page, shoot, axe_check, name):
    axe_check(name)
    shoot(f"privacy-{name}")


def test_teacher_downloads_their_data_then_erases_their_account(
    page, live_server, shoot, axe_check
):
    work_group = group(name="Leeds Fractions Work Group", capacity=1)
    amira = teacher(
        school=SchoolFactory(name="Oakfield Primary"), verified=True, first_name="Amira"
    )
    registration = services.register(user=amira, work_group=work_group)
    waiting = services.register(user=teacher(verified=True), work_group=work_group)

    sign_in(page, live_server, amira.email, PASSWORD, "/me/profile/")
    page.wait_for_url("**/me/profile/")
    page.get_by_role("link", name="your data").click()
    page.wait_for_url("**/me/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.get_by_text("Oakfield Primary")).to_be_visible()
    look(page, shoot, axe_check, "my-data")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download my data").click()
    download = downloading.value
    assert download.suggested_filename == "my-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == amira.email
    assert data["registrations"][0]["group"] == "Leeds Fractions Work Group"

    page.get_by_role("link", name="Erase my account").click()
    page.wait_for_url("**/me/data/erase/")
    expect(page.get_by_text("Leeds Fractions Work Group")).to_be_visible()
    look(page, shoot, axe_check, "erase-confirm")

    # A wrong password is explained next to the field and changes nothing.
    page.get_by_label("I understand that erasing my account cannot be undone").check()
    page.get_by_label("Your current password").fill("not my password")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your current password")
    look(page, shoot, axe_check, "erase-wrong-password")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACTIVE

    page.get_by_label("I understand that erasing my account cannot be undone").check()
    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    page.wait_for_url("**/me/data/erased/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been erased")
    look(page, shoot, axe_check, "erased")

    registration.refresh_from_db()
    waiting.place.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert waiting.place.status == PlaceStatus.CONFIRMED

    sign_in(page, live_server, amira.email, PASSWORD, "/me/data/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Your data")
    assert "/accounts/login/" in page.url
    look(page, shoot, axe_check, "sign-in-refused")
