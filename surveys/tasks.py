"""Celery tasks for surveys: thin, and safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from surveys import notifications


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def send_survey_emails() -> int:
    """Every morning (Celery beat): "survey open" emails and reminders that are due today."""
    return notifications.send_due_emails()
