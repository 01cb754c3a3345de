"""With the broker down, people still register and withdraw; once it is back, every email they
caused is delivered exactly once. Real PostgreSQL, a Redis of the test's own, a real worker."""

from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse

from core import outbox
from core.models import OutboxMessage
from core.tasks import deliver_outbox
from tests import brokers
from tests.core.mail_backends import MAIL_FILE_ENV
from tests.factories import SchoolFactory, TeacherFactory
from tests.projects.helpers import group
from workgroups import services
from workgroups.models import PlaceStatus, Registration

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def own_redis(require_postgres):
    server = brokers.RedisServer()
    server.start()
    with brokers.broker(server.url):
        yield server
    server.stop()


@pytest.fixture
def workers(own_redis, tmp_path):
    mail_file = tmp_path / "sent.txt"
    mail_file.touch()
    started = brokers.Workers(
        own_redis.url,
        EMAIL_BACKEND="tests.core.mail_backends.LineFileBackend",
        **{MAIL_FILE_ENV: str(mail_file)},
    )
    yield started, mail_file
    started.stop_all()


def register_url(work_group):
    return reverse("workgroups:register", args=[work_group.pk])


def teacher():
    return TeacherFactory(school=SchoolFactory())


def test_nothing_is_lost_or_doubled_while_the_broker_is_down(client, own_redis, workers):
    worker, mail_file = workers
    work_group = group(capacity=1)
    role = work_group.project.roles.first()
    first, second, third = teacher(), teacher(), teacher()
    own_redis.stop()

    # The broker is down: every change still succeeds for the person making it.
    client.force_login(first)
    assert client.post(register_url(work_group), {"role": role.pk}).status_code == 302
    waiting = services.register(user=second, work_group=work_group)
    assert waiting.place.status == PlaceStatus.WAITLISTED
    mine = Registration.objects.get(user=first)
    withdraw = client.post(reverse("workgroups:withdraw", args=[mine.pk]), follow=True)
    assert withdraw.status_code == 200
    assert "You have withdrawn from" in withdraw.content.decode()
    waiting.place.refresh_from_db()
    assert waiting.place.status == PlaceStatus.CONFIRMED  # promoted in the same transaction
    services.register(user=third, work_group=work_group)
    promoted = services.change_capacity(work_group=work_group, capacity=2)
    assert [place.school for place in promoted] == [third.school]

    held = list(OutboxMessage.objects.order_by("pk"))
    assert {row.to for row in held} == {first.email, second.email, third.email}
    assert len(held) >= 6  # registered, waitlisted, withdrawn, promoted, waitlisted, promoted
    assert not any(row.sent_at for row in held)
    assert not mail.outbox

    # The broker is back: new changes go straight to a worker, and the outbox job (as beat
    # would run it) sends what was held back.
    own_redis.start()
    worker.start()
    later = services.register(user=teacher(), work_group=group())
    [fresh] = OutboxMessage.objects.filter(to=later.user.email)
    assert brokers.wait_for(
        lambda: OutboxMessage.objects.filter(pk=fresh.pk, sent_at__isnull=False).exists()
    ), "the worker did not send the new registration's email"
    held_back = OutboxMessage.objects.filter(pk__in=[row.pk for row in held])
    assert not held_back.filter(sent_at__isnull=False).exists()  # nobody asked for these yet

    deliver_outbox.delay()

    every = [*held, fresh]
    assert brokers.wait_for(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(), seconds=90
    ), "the worker did not deliver the outbox"

    # A second run of the job, or a redelivered task, sends nothing again.
    assert deliver_outbox() == 0
    assert not any(outbox.deliver(message_id=row.pk) for row in every)
    assert not mail.outbox

    sent = Counter(line.split()[0] for line in mail_file.read_text().splitlines())
    assert sent == Counter(outbox.message_id_header(row) for row in every)
    assert set(sent.values()) == {1}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
