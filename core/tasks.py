"""Celery tasks that deliver the outbox (``core.outbox``); each is safe to run twice."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError

from core import outbox

DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=5)
def deliver_emails(message_ids: list[int]) -> int:
    """Send these outbox messages now (queued when their transaction commits)."""
    return sum(outbox.deliver(message_id=pk) for pk in message_ids)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=2)
def deliver_outbox() -> int:
    """Every minute (Celery beat): send whatever is due, e.g. what a broker outage held back."""
    return outbox.deliver_due()


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=2)
def purge_outbox() -> int:
    """Every night (Celery beat): delete the messages sent more than a month ago."""
    return outbox.purge_sent()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: list[str], subject: str, body: str, html: str | None = None) -> int:
    """Send one email queued before the outbox existed. Nothing queues this any more; it stays
    for one release so messages already waiting in the broker at the upgrade are still sent."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
