"""The front door: the Content-Security-Policy, how long sessions last, and whose address a
request comes from."""

import re
import time
from html import escape
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from core.audit import remote_address
from core.sessions import LAST_SEEN_SESSION_KEY, SIGNED_OUT_MESSAGE
from tests.factories import HubMembershipFactory, NationalAdminFactory, TeacherFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Not pages a browser loads: WeasyPrint reads the PDF templates, mail programs the emails.
NOT_SERVED = {"reports/report_pdf.html", "workgroups/certificate_pdf.html"}
CSP_HEADER = "Content-Security-Policy"


def _policy(response) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response[CSP_HEADER].split(";"))
    return {words[0]: words[1:] for words in directives if words}


@pytest.mark.django_db
def test_pages_carry_a_policy_that_allows_no_inline_script_or_style(client):
    policy = _policy(client.get("/"))

    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


@pytest.mark.django_db
def test_admin_inline_scripts_and_styles_carry_the_nonce_the_policy_names(client):
    client.force_login(NationalAdminFactory())

    response = client.get(reverse("admin:workgroups_workgroup_changelist"))

    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response[CSP_HEADER]).group(1)
    assert "'nonce-" in " ".join(_policy(response)["style-src"])
    inline = re.findall(r"<(script|style)\b([^>]*)>", html)
    assert inline, "the admin's change list has scripts and styles"
    for tag, attributes in inline:
        if "src=" not in attributes:
            assert f'nonce="{nonce}"' in attributes, f"<{tag}{attributes}> has no nonce"


def _served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in NOT_SERVED and not name.startswith("emails/"):
            yield name, path.read_text()


def test_no_template_has_inline_styles_event_handlers_or_scripts_without_a_nonce():
    offending = []
    for name, text in _served_templates():
        if re.search(r"\sstyle\s*=|<style\b|\son[a-z]+\s*=|javascript:", text, re.I):
            offending.append(name)
        for attributes in re.findall(r"<script\b([^>]*)>", text):
            if not re.search(r"src=|application/json|csp_nonce", attributes):
                offending.append(name)

    assert offending == []


# Sessions -----------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


def _verified_teacher():
    teacher = TeacherFactory()
    EmailAddress.objects.create(user=teacher, email=teacher.email, verified=True, primary=True)
    return teacher


@pytest.fixture
def _no_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("_no_rate_limits")
def test_a_teacher_who_does_not_tick_remember_me_is_signed_out_when_the_browser_closes(client):
    teacher = _verified_teacher()

    response = client.post(reverse("account_login"), {"login": teacher.email, "password": PASSWORD})

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
    assert not cookie["max-age"]
    assert not cookie["expires"]


@pytest.mark.django_db
@pytest.mark.usefixtures("_no_rate_limits")
def test_a_teacher_who_ticks_remember_me_stays_signed_in_as_long_as_they_chose(client):
    teacher = _verified_teacher()

    response = client.post(
        reverse("account_login"), {"login": teacher.email, "password": PASSWORD, "remember": "on"}
    )
    client.get(reverse("workgroups:my_registrations"))

    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def _staff():
    return HubMembershipFactory().user


@pytest.mark.django_db
@pytest.mark.parametrize("make_staff", [_staff, NationalAdminFactory], ids=["hub", "national"])
def test_a_remembered_staff_session_lasts_two_hours_from_the_last_request(client, make_staff):
    client.force_login(make_staff())
    session = client.session
    session.set_expiry(settings.SESSION_COOKIE_AGE)
    session.save()

    response = client.get("/")

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 2 * 60 * 60
    assert client.session.get_expiry_age() == 2 * 60 * 60


@pytest.mark.django_db
def test_staff_are_signed_out_after_two_hours_idle_even_with_the_browser_open(client):
    client.force_login(_staff())
    client.get("/")
    session = client.session
    session.set_expiry(0)
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 2 * 60 * 60 - 1
    session.save()

    response = client.get(reverse("admin:index"), follow=True)

    assert "_auth_user_id" not in client.session
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert escape(SIGNED_OUT_MESSAGE) in response.content.decode()


@pytest.mark.django_db
def test_staff_active_within_two_hours_stay_signed_in(client):
    client.force_login(_staff())
    client.get("/")
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 2 * 60 * 60 + 60
    session.save()

    client.get("/")

    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_busy_staff_session_is_written_at_most_once_a_minute(client):
    client.force_login(_staff())
    first = client.get("/")
    assert settings.SESSION_COOKIE_NAME in first.cookies  # last seen now: the session is saved

    again = client.get("/")
    assert settings.SESSION_COOKIE_NAME not in again.cookies  # seen a moment ago: not saved

    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 61
    session.save()
    later = client.get("/")
    assert settings.SESSION_COOKIE_NAME in later.cookies
    assert time.time() - client.session[LAST_SEEN_SESSION_KEY] < 5


@pytest.mark.django_db
def test_a_teacher_is_not_signed_out_for_being_idle(client):
    client.force_login(TeacherFactory())
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 24 * 60 * 60
    session.save()

    client.get("/")

    assert "_auth_user_id" in client.session


# The client's address ------------------------------------------------------------------------


def test_the_audit_trail_ignores_a_forwarded_address_the_client_wrote():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert remote_address(request) == "203.0.113.9"


def test_behind_trusted_proxies_the_audit_trail_takes_the_address_the_nearest_one_saw(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9"
    )

    assert remote_address(request) == "203.0.113.9"
