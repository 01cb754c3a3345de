"""Every email the site sends is built and queued here.

A message is a template in ``templates/emails/``: its first line is the subject, the rest the
body. Each person gets their own copy, so nobody sees another's address.

Every message is first a row of the outbox (``core.models.OutboxMessage``) written in the
surrounding transaction: a change that commits always has its emails, one that is rolled back
has none. Once it commits a worker is asked to send them (with no broker configured, here and
now); if the broker cannot be reached the person still sees their change succeed and the
outbox job sends the emails within a minute of the broker's return (``core.outbox``).
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from core.models import OutboxMessage
from core.tasks import deliver_emails

# Ask the broker briefly: what it does not take, the outbox job sends a minute later.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """Emails need full links; ``SITE_URL`` is the public address of the site."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def render_email(template: str, context: dict) -> tuple[str, str]:
    """The subject and body of ``emails/<template>.txt`` rendered with ``context``."""
    subject, _, body = render_to_string(f"emails/{template}.txt", context).strip().partition("\n")
    return subject.strip(), body.strip()


def send_templated(template: str, to: Iterable[str], context: dict) -> None:
    """One copy of the message to each address (blank ones are skipped)."""
    subject, body = render_email(template, context)
    for address in dict.fromkeys(a for a in to if a):
        queue_email(to=[address], subject=subject, body=body)


def queue_email(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    """Put a copy for each address in the outbox; it is sent once the transaction commits."""
    messages = [
        OutboxMessage.objects.create(to=address, subject=subject, body=body, html=html or "")
        for address in dict.fromkeys(a for a in to if a)
    ]
    if messages:
        ids = [message.pk for message in messages]
        transaction.on_commit(lambda: request_delivery(ids))


def request_delivery(message_ids: list[int]) -> None:
    """Ask a worker to send these now. Never raises: the change they belong to has committed,
    and whatever is not sent now the outbox job sends later."""
    try:
        deliver_emails.apply_async((message_ids,), retry_policy=PUBLISH_RETRY)
    except Exception:
        logger.warning(
            "Could not queue outbox messages %s; the outbox job will send them.",
            message_ids,
            exc_info=True,
        )
