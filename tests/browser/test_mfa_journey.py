"""A hub manager sets up an authenticator app when first sent to the admin, then signs in
with a code from it."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.conftest import CODE_MARGIN_SECONDS, enter_totp_code, sign_in
from tests.factories import HubMembershipFactory, totp_code

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


def test_hub_manager_sets_up_an_authenticator_then_signs_in_with_a_code(
    page, live_server, shoot, axe_check
):
    manager = HubMembershipFactory(hub__name="Enigma Maths Hub", mfa=False).user
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)

    sign_in(page, live_server, manager.email, PASSWORD, next_url="/admin/")
    # Sent to set one up; allauth first asks for the password again, saying why.
    page.wait_for_url("**/accounts/reauthenticate/**")
    expect(page.get_by_text("need a second step when they sign in")).to_be_visible()
    axe_check("confirm your password before setting up")
    shoot("mfa-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_label("Key to type into the app").input_value()
    axe_check("set up an authenticator app")
    shoot("mfa-activate")
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    page.get_by_label("Code from your authenticator app").fill(wrong)
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_role("alert").get_by_text("That code is not right")).to_be_visible()
    axe_check("set up with a wrong code")
    shoot("mfa-activate-wrong-code")
    page.get_by_label("Code from your authenticator app").fill(
        totp_code(secret, margin=CODE_MARGIN_SECONDS)
    )
    page.get_by_role("button", name="Finish setting up").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    axe_check("recovery codes")
    shoot("mfa-recovery-codes")
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Run your hub")).to_be_visible()

    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_text("Authentication using an authenticator app is active.")).to_be_visible()
    axe_check("two-factor authentication overview")
    shoot("mfa-index")
    page.get_by_role("link", name="Add", exact=True).click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Security Key")
    axe_check("add a security key")
    shoot("mfa-webauthn-add")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    axe_check("enter your code")
    shoot("mfa-authenticate")
    enter_totp_code(page, manager.email, secret)

    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Run your hub")).to_be_visible()
