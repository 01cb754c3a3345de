"""The outbox: an email is saved with the change that causes it and sent exactly once."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.email import queue_email
from core.models import OutboxMessage
from core.tasks import deliver_outbox
from tests import brokers
from tests.core import mail_backends
from tests.factories import SchoolFactory, TeacherFactory, WorkGroupFactory
from tests.projects.helpers import group
from workgroups import services
from workgroups.models import Registration

pytestmark = pytest.mark.django_db


def use_mail_backend(settings, name: str) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"tests.core.mail_backends.{name}"}}


def unsent(count: int) -> list[OutboxMessage]:
    """Rows as a broker outage leaves them: saved, never sent."""
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(to=f"person{n}@example.org", subject=f"Message {n}", body="Hello")
        for n in range(count)
    )


def test_a_registrations_email_is_saved_with_it_and_sent_once_it_commits(
    django_capture_on_commit_callbacks,
):
    teacher = TeacherFactory(school=SchoolFactory())

    with django_capture_on_commit_callbacks(execute=True):
        services.register(user=teacher, work_group=WorkGroupFactory())
        [row] = OutboxMessage.objects.all()
        assert not mail.outbox

    row.refresh_from_db()
    [sent] = mail.outbox
    assert sent.to == [teacher.email] == [row.to]
    assert sent.subject == row.subject
    assert sent.extra_headers["Message-ID"] == outbox.message_id_header(row)
    assert row.sent_at is not None
    assert row.attempts == 1


def test_a_change_that_is_rolled_back_leaves_no_email(django_capture_on_commit_callbacks):
    def change_that_fails():
        with transaction.atomic():
            queue_email(to=["someone@example.org"], subject="Hello", body="Body")
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()

    assert not OutboxMessage.objects.exists()
    assert not mail.outbox


def test_each_address_gets_its_own_copy_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to=["a@example.org", "", "b@example.org", "a@example.org"], subject="", body="")

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2


def test_html_goes_as_an_alternative(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to=["a@example.org"], subject="S", body="Plain", html="<p>Rich</p>")

    [sent] = mail.outbox
    assert sent.body == "Plain"
    assert sent.alternatives[0].content == "<p>Rich</p>"


def test_a_mail_server_that_is_down_leaves_the_message_to_send_later(
    settings, django_capture_on_commit_callbacks
):
    use_mail_backend(settings, "DownBackend")

    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to=["a@example.org"], subject="S", body="B")

    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "the mail server is down" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert outbox.deliver_due() == 0  # backing off

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    OutboxMessage.objects.update(next_attempt_at=timezone.now())

    assert deliver_outbox() == 1
    row.refresh_from_db()
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert (row.attempts, row.last_error) == (2, "")
    assert row.sent_at is not None


def test_a_message_that_failed_every_attempt_is_left_for_someone_to_look_at():
    [row] = unsent(1)
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS)

    assert deliver_outbox() == 0
    assert not mail.outbox


def test_delivering_again_never_sends_a_message_twice():
    rows = unsent(3)

    assert deliver_outbox() == 3
    assert deliver_outbox() == 0
    assert not any(outbox.deliver(message_id=row.pk) for row in rows)

    assert len(mail.outbox) == 3
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_sent_messages_are_deleted_after_a_month_and_unsent_ones_kept():
    old_sent, recent_sent, old_unsent = unsent(3)
    month_ago = timezone.now() - datetime.timedelta(days=outbox.KEEP_SENT_DAYS + 1)
    OutboxMessage.objects.filter(pk=old_sent.pk).update(sent_at=month_ago)
    OutboxMessage.objects.filter(pk=recent_sent.pk).update(sent_at=timezone.now())
    OutboxMessage.objects.filter(pk=old_unsent.pk).update(created_at=month_ago)

    assert outbox.purge_sent() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {
        recent_sent.pk,
        old_unsent.pk,
    }


def test_a_broker_that_cannot_be_reached_never_fails_the_persons_registration(
    client, django_capture_on_commit_callbacks
):
    """No real service needed: a port nothing listens on refuses at once."""
    work_group = group()
    user = TeacherFactory(school=SchoolFactory())
    client.force_login(user)
    dead = f"redis://127.0.0.1:{brokers.free_port()}/0"

    with brokers.broker(dead), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workgroups:register", args=[work_group.pk]),
            {"role": work_group.project.roles.first().pk},
        )

    assert response.status_code == 302
    assert Registration.objects.filter(user=user).exists()
    assert not mail.outbox
    assert deliver_outbox() == 1
    assert mail.outbox[0].to == [user.email]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_the_message_being_sent_and_sends_the_rest(
    require_postgres, settings
):
    """One worker is stopped in the middle of sending the first message, holding its row; a
    second worker delivers the same backlog meanwhile. Each message goes exactly once."""
    use_mail_backend(settings, "GateBackend")
    mail_backends.GATE = gate = mail_backends.Gate()
    rows = unsent(5)
    first_worker_sent = []

    def first_worker():
        try:
            first_worker_sent.append(outbox.deliver_due())
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert gate.reached.wait(timeout=60), "the first worker never started sending"
        second_worker_sent = outbox.deliver_due()
    finally:
        gate.opened.set()
        thread.join(timeout=60)

    assert second_worker_sent == 4
    assert first_worker_sent == [1]
    sent_ids = sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert sent_ids == sorted(outbox.message_id_header(row) for row in rows)
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
