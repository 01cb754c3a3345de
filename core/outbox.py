"""Delivering the outbox: each email row is sent once, whatever the number of workers.

``core.email.queue_email`` writes an ``OutboxMessage`` in the transaction of the change that
causes it and, once that commits, asks a worker to deliver it. If the broker is down the ask
is dropped (and logged); the beat job ``core.tasks.deliver_outbox`` sends whatever is left
every minute, so nothing is lost, only delayed.

Exactly once, and where it stops. ``deliver`` locks the row (``SELECT … FOR UPDATE SKIP
LOCKED``), sends, and marks it sent in that same transaction. A second worker, the beat job or
a redelivered task skips a row that is being sent and never sees one that was sent, so within
the database each message is sent exactly once. The mail server is outside that transaction,
and SMTP has no way to take part in it: if the worker dies (or the database fails to commit)
after the server accepted the message but before the commit, the row is still unsent and will
be sent again. We choose that at-least-once window, a few milliseconds wide, over the
alternative (mark sent first, then send), which loses the message whenever the send fails
after the mark. Each message keeps one ``Message-ID`` across attempts, so a mail client that
does get the rare second copy can tell it is the same message.

A failed send is recorded on the row (``attempts``, ``last_error``) and tried again later,
backing off from 2 minutes to an hour, until ``MAX_ATTEMPTS``; the row then stays unsent for
someone to look at. Sent rows are deleted after ``KEEP_SENT_DAYS`` (they hold names and
addresses).
"""

from __future__ import annotations

import datetime
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.models import OutboxMessage

MAX_ATTEMPTS = 10
KEEP_SENT_DAYS = 30
BATCH = 500

logger = logging.getLogger(__name__)


def due(*, now: datetime.datetime | None = None) -> QuerySet[OutboxMessage]:
    """Messages to send now: unsent, not backing off, not given up on; oldest first."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True,
        next_attempt_at__lte=now or timezone.now(),
        attempts__lt=MAX_ATTEMPTS,
    ).order_by("pk")


def deliver_due(*, limit: int = BATCH) -> int:
    """Send every message that is due (at most ``limit``); returns how many were sent."""
    ids = list(due().values_list("pk", flat=True)[:limit])
    return sum(deliver(message_id=pk) for pk in ids)


def deliver(*, message_id: int) -> bool:
    """Send one message unless it was sent or another worker is sending it; True if sent now."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            _send(message)
        except Exception as error:
            _record_failure(message, error)
            return False
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["sent_at", "attempts", "last_error"])
    return True


def _send(message: OutboxMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        to=[message.to],
        headers={"Message-ID": message_id_header(message)},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    email.send()


def message_id_header(message: OutboxMessage) -> str:
    """The same ``Message-ID`` on every attempt to send this row."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    minutes = min(2**message.attempts, 60)
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.next_attempt_at = timezone.now() + datetime.timedelta(minutes=minutes)
    message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    log = logger.error if message.attempts >= MAX_ATTEMPTS else logger.warning
    log("Outbox message %s not sent (attempt %s): %s", message.pk, message.attempts, error)


def purge_sent(*, now: datetime.datetime | None = None) -> int:
    """Delete messages sent more than ``KEEP_SENT_DAYS`` ago; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_SENT_DAYS)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def forget_sent_to(addresses: set[str]) -> None:
    """Delete the sent messages to these addresses (erasing an account); unsent ones still go."""
    for address in addresses:
        OutboxMessage.objects.filter(to__iexact=address, sent_at__isnull=False).delete()
