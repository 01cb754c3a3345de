"""The front door in a real browser: error pages, a form refused after signing in again in
another tab, and the admin's scripts (autocomplete, date pickers, theme) under the
Content-Security-Policy. conftest.py fails any test whose pages break the policy."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import HubMembershipFactory, TeacherFactory, WorkGroupFactory
from workgroups.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_not_found_and_server_error_pages_are_in_the_sites_layout(
    page, live_server, shoot, axe_check
):
    page.goto(f"{live_server.url}/projects/")
    page.evaluate("location.href = '/projects/no-such-project/'")
    page.wait_for_url("**/no-such-project/")
    expect(page.get_by_role("heading", name="We cannot find that page")).to_be_visible()
    expect(page.get_by_role("link", name="Go back to the page you were on")).to_have_attribute(
        "href", f"{live_server.url}/projects/"
    )
    axe_check("404 page")
    shoot("error-404")

    # The 500 page is rendered as Django's handler renders it (no request, no database).
    body = server_error(RequestFactory().get("/")).content.decode()
    page.route("**/fault-for-screenshot/", lambda route: route.fulfill(status=500, body=body))
    page.goto(f"{live_server.url}/fault-for-screenshot/")
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    axe_check("500 page")
    shoot("error-500")


def test_a_form_sent_after_signing_in_again_in_another_tab_gives_back_what_was_typed(
    page, live_server, shoot, axe_check
):
    teacher = _verified(TeacherFactory(first_name="Sam"))
    sign_in(page, live_server, teacher.email, PASSWORD, next_url="/me/profile/")
    page.goto(f"{live_server.url}/me/profile/")
    page.get_by_label("First name").fill("Samantha")
    page.get_by_label("Last name").fill("Okonkwo-Reyes")

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/")
    other_tab.get_by_role("button", name="Sign out").click()
    other_tab.wait_for_url(f"{live_server.url}/**")
    sign_in(other_tab, live_server, teacher.email, PASSWORD, next_url="/")
    other_tab.close()

    page.get_by_role("button", name="Save your profile").click()

    expect(page.get_by_role("heading", name="Your form was not sent")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Samantha")
    expect(page.get_by_label("Last name")).to_have_value("Okonkwo-Reyes")
    expect(page.get_by_label("Last name")).to_have_attribute("readonly", "")
    axe_check("CSRF failure page")
    shoot("csrf-failure")
    page.get_by_role("link", name="Go back to the form").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def test_admin_autocomplete_date_pickers_and_theme_work_under_the_policy(page, live_server, shoot):
    membership = HubMembershipFactory(hub__name="Enigma Maths Hub")
    _verified(membership.user)
    group = WorkGroupFactory(hub=membership.hub, name="Enigma KS2 North")
    sign_in(page, live_server, membership.user.email, PASSWORD, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/workgroups/session/add/")

    page.locator(".field-work_group .select2-selection").click()
    page.locator(".select2-search__field").fill("Enigma")
    page.get_by_role("option", name="Enigma KS2 North").click()

    page.locator("#calendarlink0").click()
    page.locator("#calendarbox0 .calendarnav-next").click()
    page.locator("#calendarbox0 td a", has_text="15").first.click()
    page.locator("#clocklink0").click()
    page.locator("#clockbox0").get_by_role("button", name="Noon").click()
    page.locator("#calendarlink1").click()
    page.locator("#calendarbox1 .calendarnav-next").click()
    page.locator("#calendarbox1 td a", has_text="15").first.click()
    page.locator("#clocklink1").click()
    page.locator("#clockbox1").get_by_role("button", name="6 p.m.").click()
    page.get_by_label("Venue").fill("Civic Hall")

    theme = page.locator("html")
    before = theme.get_attribute("data-theme")
    page.locator("button.theme-toggle").first.click()
    assert theme.get_attribute("data-theme") != before
    shoot("admin-session-add-under-csp")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    session = Session.objects.get(work_group=group)
    assert (session.starts_at.day, session.venue) == (15, "Civic Hall")
