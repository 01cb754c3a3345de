"""The signed-in person is read from the cache on every request, and every change to who they
are or what they may do counts from their very next request."""

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import HubMembership
from tests.factories import HubMembershipFactory, LLMEFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
MY_GROUPS = ">My groups</a>"


def test_a_signed_in_page_reads_the_person_from_the_cache_after_the_first_request(client):
    client.force_login(TeacherFactory())
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "participants_user" in q["sql"]]


def test_someone_taken_off_a_hubs_staff_loses_the_admin_on_their_next_request(client):
    membership = HubMembershipFactory()
    client.force_login(membership.user)
    assert client.get(ADMIN).status_code == 200

    HubMembership.objects.get(pk=membership.pk).delete()

    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_deactivated_person_is_signed_out_on_their_next_request(client):
    teacher = TeacherFactory()
    client.force_login(teacher)
    assert client.get(reverse("workgroups:my_registrations")).status_code == 200

    teacher.is_active = False
    teacher.save(update_fields=["is_active"])

    response = client.get(reverse("workgroups:my_registrations"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_new_password_set_elsewhere_ends_the_other_sessions(client):
    teacher = TeacherFactory()
    client.force_login(teacher)
    assert client.get(reverse("workgroups:my_registrations")).status_code == 200

    teacher.set_password("an entirely new passphrase")
    teacher.save()

    assert client.get(reverse("workgroups:my_registrations")).status_code == 302


def test_the_menu_offers_my_groups_as_soon_as_someone_becomes_an_llme_and_not_after(client):
    person = UserFactory()
    client.force_login(person)
    assert MY_GROUPS not in client.get("/").content.decode()

    llme = LLMEFactory(user=person)
    assert MY_GROUPS in client.get("/").content.decode()

    llme.delete()
    assert MY_GROUPS not in client.get("/").content.decode()


def test_staff_who_remove_their_authenticator_are_sent_to_set_one_up_again(client):
    membership = HubMembershipFactory()
    client.force_login(membership.user)
    assert client.get(ADMIN).status_code == 200

    Authenticator.objects.filter(user=membership.user).delete()

    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
