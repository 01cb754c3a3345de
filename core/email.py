"""Every email the site sends is built and queued here.

A message is a template in ``templates/emails/``: its first line is the subject, the rest the
body. Each person gets their own copy, so nobody sees another's address. Sending is a Celery
task queued once the surrounding transaction commits, so a change that is rolled back sends
nothing.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from core.tasks import send_email


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
    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body, html=html))
