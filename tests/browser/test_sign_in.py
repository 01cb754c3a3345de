import pytest

from tests.browser.conftest import sign_in
from tests.factories import HubMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_and_sign_in_pages_are_accessible(page, live_server, shoot, axe_check):
    page.goto(live_server.url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Professional development")
    axe_check("home page")
    shoot("home")

    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("button", name="Sign In").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    axe_check("sign-in page with errors")
    shoot("sign-in-errors")


def test_hub_manager_signs_in_to_the_admin_through_the_sites_sign_in_page(page, live_server):
    from allauth.account.models import EmailAddress

    manager = HubMembershipFactory(hub__name="Enigma Maths Hub").user
    EmailAddress.objects.create(user=manager, email=manager.email, verified=True, primary=True)

    page.goto(f"{live_server.url}/admin/")
    assert "/accounts/login/" in page.url
    sign_in(page, live_server, manager.email, "correct horse battery", next_url="/admin/")

    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_role("heading", name="Run your hub").is_visible()
