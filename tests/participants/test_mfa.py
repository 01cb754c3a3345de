"""A second factor for hub staff and the national team (allauth.mfa, participants.mfa).

Staff without an authenticator are sent from the admin and the reports to set one up, then
carry on where they were going; signing in asks enrolled staff for a code. allauth remembers
used codes in the cache for their 30 seconds, so the cache is cleared between tests.
"""

import time
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib import auth
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from demo.logins import DEMO_EMAILS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from participants.mfa import SETUP_NEXT_SESSION_KEY
from participants.models import User
from privacy import services as privacy
from tests.factories import (
    TOTP_SECRET,
    HubMembershipFactory,
    LLMEFactory,
    NationalAdminFactory,
    TeacherFactory,
    enrol_totp,
    totp_code,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SETUP_URL = reverse("mfa_activate_totp")
GROUPS_URL = reverse("admin:workgroups_workgroup_changelist")
STAFF_URLS = [reverse("admin:index"), GROUPS_URL, reverse("reports:list")]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture(params=["hub manager", "hub staff reading reports only", "national team"])
def unenrolled_staff(request):
    if request.param == "national team":
        return _verified(NationalAdminFactory(mfa=False))
    is_staff = request.param == "hub manager"
    return _verified(HubMembershipFactory(mfa=False, user__is_staff=is_staff).user)


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_without_an_authenticator_are_sent_from_the_admin_and_reports_to_set_one_up(
    client, unenrolled_staff, url
):
    client.force_login(unenrolled_staff)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == SETUP_URL
    assert client.session[SETUP_NEXT_SESSION_KEY] == url
    # allauth asks for the password again before adding an authenticator; the reason shows there.
    page = client.get(SETUP_URL, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "need a second step when they sign in" in page.content.decode()


def test_staff_without_an_authenticator_can_still_use_the_mfa_pages_and_sign_out(
    client, unenrolled_staff
):
    client.force_login(unenrolled_staff)

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("account_logout"))
    assert not auth.get_user(client).is_authenticated


@pytest.mark.parametrize("url", STAFF_URLS)
@pytest.mark.parametrize("role", ["hub manager", "national team"])
def test_staff_with_an_authenticator_reach_the_admin_and_the_reports(client, role, url):
    staff = HubMembershipFactory().user if role == "hub manager" else NationalAdminFactory()
    client.force_login(staff)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("person", "url", "status"),
    [
        ("teacher", reverse("admin:index"), 302),
        ("teacher", reverse("reports:list"), 404),
        ("lead", reverse("admin:index"), 302),
        ("lead", reverse("lead:dashboard"), 200),
    ],
)
def test_teachers_and_leads_are_not_made_to_set_one_up(client, person, url, status):
    user = TeacherFactory() if person == "teacher" else LLMEFactory(user=TeacherFactory()).user
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == status
    assert response.get("Location", "") != SETUP_URL
    assert client.get(reverse("mfa_index")).status_code == 200  # they may add one themselves


def test_after_setting_one_up_staff_keep_their_recovery_codes_and_carry_on(client):
    manager = _verified(HubMembershipFactory(mfa=False).user)
    client.force_login(manager)
    assert client.get(GROUPS_URL).url == SETUP_URL
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(SETUP_URL).context["form"].secret

    wrong = client.post(SETUP_URL, {"code": wrong_code(secret)})
    assert "That code is not right" in wrong.content.decode()
    response = client.post(SETUP_URL, {"code": totp_code(secret)})

    assert response.url == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response.url).content.decode()
    assert "Your recovery codes" in codes_page
    assert f'href="{GROUPS_URL}"' in codes_page  # the way back to where they were going
    assert client.get(GROUPS_URL).status_code == 200
    assert SETUP_NEXT_SESSION_KEY not in client.session
    assert Authenticator.objects.filter(user=manager, type=Authenticator.Type.TOTP).exists()


def test_staff_signing_in_give_a_code_and_a_wrong_one_is_refused(client):
    manager = _verified(HubMembershipFactory().user)
    login = reverse("account_login")

    response = client.post(f"{login}?next=/admin/", {"login": manager.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert not auth.get_user(client).is_authenticated
    page = client.get(response.url).content.decode()
    assert "Code from your authenticator app, or a recovery code" in page

    wrong = client.post(reverse("mfa_authenticate"), {"code": wrong_code(TOTP_SECRET)})
    assert "That code is not right" in wrong.content.decode()
    assert not auth.get_user(client).is_authenticated

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})
    assert right.url == "/admin/"
    assert auth.get_user(client) == manager
    assert client.get("/admin/").status_code == 200


def test_a_code_works_only_once(client):
    manager = _verified(HubMembershipFactory().user)
    code = totp_code()
    for _ in range(2):
        client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD})
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        client.post(reverse("account_logout"))

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()


def test_teachers_without_an_authenticator_sign_in_with_their_password_alone(client):
    teacher = _verified(TeacherFactory())

    client.post(reverse("account_login"), {"login": teacher.email, "password": PASSWORD})

    assert auth.get_user(client) == teacher


def test_a_teacher_who_added_an_authenticator_is_asked_for_its_code(client):
    teacher = enrol_totp(_verified(TeacherFactory()))

    response = client.post(reverse("account_login"), {"login": teacher.email, "password": PASSWORD})

    assert response.url == reverse("mfa_authenticate")


def test_erasing_an_account_removes_its_authenticators():
    teacher = enrol_totp(_verified(TeacherFactory()))

    privacy.erase_user(user=teacher)

    assert not Authenticator.objects.filter(user=teacher).exists()


def test_the_demo_seed_gives_demo_staff_the_authenticator_whose_key_it_prints(client):
    seeded = StringIO()
    call_command("seed_demo", "--scale", "small", stdout=seeded)
    listed = StringIO()
    call_command("demo_logins", stdout=listed)
    before = time.time()
    printed = StringIO()
    call_command("demo_totp", stdout=printed)

    staff = User.objects.filter(is_staff=True)
    keys = Authenticator.objects.filter(user__in=staff).values_list("data__secret", flat=True)
    assert {decrypt(key) for key in keys} == {DEMO_TOTP_SECRET}
    assert not staff.filter(authenticator__isnull=True).exists()
    assert not Authenticator.objects.filter(user__is_staff=False).exists()
    for output in (seeded.getvalue(), listed.getvalue()):
        assert DEMO_TOTP_SECRET in output
        assert "manage.py demo_totp" in output
    assert printed.getvalue().strip() in {
        totp_code(DEMO_TOTP_SECRET, at=moment) for moment in (before, time.time())
    }
    national = DEMO_EMAILS[0]
    client.post(reverse("account_login"), {"login": national, "password": DEMO_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": printed.getvalue().strip()})
    assert auth.get_user(client).email == national

    Authenticator.objects.filter(user__email=DEMO_EMAILS[1]).delete()
    listed = StringIO()
    call_command("demo_logins", stdout=listed)
    assert "seeded before staff needed an authenticator" in listed.getvalue()


def wrong_code(secret: str) -> str:
    """A six-digit code that is not the one the app shows now."""
    return f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
