"""Who may see and change a group's delivery: the one place the lead area's rules live.

A group's own leads (an active LLME row linked through ``WorkGroup.leads``), its hub's staff
and the national team may see and change its roster, attendance, records and evaluation.
Everyone else is told the group does not exist (404), never that it is forbidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from core import scoping
from workgroups.models import Milestone, Session, WorkGroup

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from participants.models import User

LeadLink = WorkGroup.leads.through


def _led_group_ids(user: User) -> QuerySet:
    return LeadLink.objects.filter(llme__user=user, llme__active=True).values("workgroup_id")


def groups_for_lead(user: User) -> QuerySet[WorkGroup]:
    """The groups this user leads as an active LLME (their dashboard)."""
    if not (user.is_authenticated and user.is_active):
        return WorkGroup.objects.none()
    return WorkGroup.objects.filter(pk__in=_led_group_ids(user))


def visible_groups(user: User) -> QuerySet[WorkGroup]:
    """Every group whose delivery this user may see and change."""
    if not (user.is_authenticated and user.is_active):
        return WorkGroup.objects.none()
    if scoping.is_national(user):
        return WorkGroup.objects.all()
    return WorkGroup.objects.filter(
        Q(pk__in=_led_group_ids(user)) | Q(hub_id__in=scoping.staff_hub_ids(user))
    )


def visible_sessions(user: User) -> QuerySet[Session]:
    return Session.objects.filter(work_group__in=visible_groups(user))


def visible_milestones(user: User) -> QuerySet[Milestone]:
    return Milestone.objects.filter(work_group__in=visible_groups(user))
