"""Email goes out through a Celery task, queued once the surrounding transaction commits."""

from django.db import transaction


def queue_email(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    from participants.tasks import send_email

    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body, html=html))
