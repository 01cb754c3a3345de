from celery import shared_task
from django.db import OperationalError

from workgroups import services
from workgroups.models import WorkGroup


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def promote_waitlist(work_group_id: int) -> int:
    """Fill a group's free places from its waiting list; safe to run twice."""
    group = WorkGroup.objects.filter(pk=work_group_id).first()
    if group is None:
        return 0
    return len(services.promote_from_waitlist(work_group=group))
