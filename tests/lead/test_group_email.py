"""A lead emails their group's participants: each their own copy, only participants, recorded."""

import pytest
from django.core import mail
from django.urls import reverse

from core import audit
from tests.factories import LLMEFactory
from tests.lead.factories import add_schools, led_group
from workgroups.models import PlaceStatus, RegistrationStatus
from workgroups.services import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return led_group(name="Cedar Work Group")


def test_each_participant_gets_their_own_copy_and_nobody_else_one(
    client, group, django_capture_on_commit_callbacks
):
    here, withdrew, waiting = add_schools(group, 3, people=1)
    withdrew.status = RegistrationStatus.WITHDRAWN
    withdrew.save(update_fields=["status"])
    waiting.place.status = PlaceStatus.WAITLISTED
    waiting.place.save(update_fields=["status"])
    lead = group.leads.get().user
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lead:group_email", args=[group.pk]),
            {"subject": "Bring a lesson plan", "message": "Bring a plan for a fractions lesson."},
            follow=True,
        )

    assert "Your email is on its way to 1 participant." in response.content.decode()
    [sent] = mail.outbox
    assert sent.to == [here.user.email]
    assert sent.subject == "Cedar Work Group: Bring a lesson plan"
    assert "Bring a plan for a fractions lesson." in sent.body
    [entry] = [e for e in audit.history(group) if e.additional_data]
    assert entry.additional_data["event"] == "emailed its participants"
    assert entry.actor == lead


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "", "message": "Hello"}, "subject", "This field is required."),
        ({"subject": "   ", "message": "Hello"}, "subject", "This field is required."),
        ({"subject": "Hi", "message": ""}, "message", "This field is required."),
        ({"subject": "x" * 151, "message": "Hello"}, "subject", "at most 150 characters"),
        ({"subject": "Hi", "message": "y" * 5001}, "message", "at most 5000 characters"),
    ],
)
def test_a_missing_or_oversized_email_is_refused_next_to_its_box(
    client, group, data, field, message
):
    add_schools(group, 1, people=1)
    client.force_login(group.leads.get().user)

    response = client.post(reverse("lead:group_email", args=[group.pk]), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert mail.outbox == []


def test_another_groups_lead_finds_no_such_page_and_the_service_refuses_them(client, group):
    add_schools(group, 1, people=1)
    stranger = LLMEFactory().user
    client.force_login(stranger)

    assert client.get(reverse("lead:group_email", args=[group.pk])).status_code == 404
    with pytest.raises(delivery.DeliveryError, match="Only the group's leads"):
        delivery.email_participants(work_group=group, by=stranger, subject="Hi", message="Hi")
    assert mail.outbox == []
