from celery import shared_task
from django.db import OperationalError

from workgroups import reminders, services
from workgroups.models import WorkGroup


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def promote_waitlist(work_group_id: int) -> int:
    """Fill a group's free places from its waiting list; safe to run twice."""
    group = WorkGroup.objects.filter(pk=work_group_id).first()
    if group is None:
        return 0
    return len(services.promote_from_waitlist(work_group=group))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_reminders() -> int:
    """Hourly in the day (Celery beat): the reminder emails due now (``workgroups.reminders``);
    each goes once however often this runs."""
    return reminders.send_due()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expire_invitations() -> int:
    """Daily: write down invitations that lapsed unanswered (pages already show them lapsed,
    whether or not this ran); safe to run twice."""
    from workgroups.services.nominations import expire_invitations as expire

    return expire()
