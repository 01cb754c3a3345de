"""Error pages in the site's layout, in plain words, each with a way back; and the page a form
whose security (CSRF) check failed leads to, which gives back what the person typed.

DEBUG is off under pytest-django, so Django renders these templates as it does in production.
"""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.factories import TeacherFactory

LAYOUT = "Skip to main content"
HOME_LINK = 'href="/">Go to the home page'


@pytest.mark.django_db
def test_not_found_page_explains_and_offers_the_page_they_came_from(client):
    response = client.get(
        "/no/such/page/", HTTP_REFERER="http://testserver/projects/", HTTP_ACCEPT="text/html"
    )

    html = response.content.decode()
    assert response.status_code == 404
    assert LAYOUT in html
    assert "We cannot find that page" in html
    assert 'href="http://testserver/projects/">Go back to the page you were on' in html
    assert HOME_LINK in html


@pytest.mark.django_db
def test_not_found_page_never_links_back_to_another_site(client):
    html = client.get("/no/such/page/", HTTP_REFERER="https://evil.example/").content.decode()

    assert "evil.example" not in html
    assert HOME_LINK in html


@pytest.mark.django_db
def test_bad_request_page_explains_without_trusting_the_host_it_was_sent_to(client):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_REFERER="http://evil.example/x")

    html = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in html
    assert "We could not understand that request" in html
    assert "evil.example" not in html
    assert HOME_LINK in html


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_forbidden_page_says_who_is_signed_in_and_offers_a_way_back(client):
    teacher = TeacherFactory()
    client.force_login(teacher)

    response = client.get("/__refuse__/", HTTP_REFERER="http://testserver/me/profile/")

    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html
    assert "You cannot do that here" in html
    assert f"You are signed in as {teacher.email}" in html
    assert 'href="http://testserver/me/profile/">Go back to the page you were on' in html


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_a_fault_in_a_view_shows_the_server_error_page():
    client = Client(raise_request_exception=False)

    response = client.get("/__fail__/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_server_error_page_renders_without_a_request_context_or_the_database():
    """No django_db mark: any query here would fail the test."""
    response = server_error(RequestFactory().get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert LAYOUT in html
    assert "Something went wrong on our side" in html
    assert HOME_LINK in html


@pytest.mark.django_db
def test_failed_csrf_check_explains_and_gives_back_what_was_typed_but_no_secrets():
    client = Client(enforce_csrf_checks=True)
    client.force_login(TeacherFactory())

    response = client.post(
        "/me/profile/",
        {
            "first_name": "Ada",
            "notes": "Three paragraphs\nI took an hour over",
            "password": "hunter22",
            "current_password": "hunter23",
            "csrfmiddlewaretoken": "stale-token",
            "code": "123456",
            "school": "4021",
            "next": "/projects/",
        },
        HTTP_REFERER="http://testserver/me/profile/",
        HTTP_ORIGIN="http://testserver",
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html
    assert "Your form was not sent" in html
    assert "signed in or out in another tab" in html
    assert 'value="Ada" readonly' in html
    assert "Three paragraphs\nI took an hour over</textarea>" in html
    assert "readonly" in html
    for secret in ("hunter22", "hunter23", "stale-token", "123456", "4021"):
        assert secret not in html
    assert 'href="http://testserver/me/profile/">Go back to the form' in html


@pytest.mark.django_db
def test_failed_csrf_check_from_another_site_shows_nothing_it_sent():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/accounts/login/",
        {"login": "Call 0800 000 000 to unlock your account"},
        HTTP_ORIGIN="https://evil.example",
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "Your form was not sent" in html
    assert "0800" not in html
    assert "evil.example" not in html
