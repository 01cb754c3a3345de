"""Who may answer a group's survey, and who may see its averages: the one place these live.

- Answering: the group's **active participants** (an active registration in a confirmed or
  completed place), for themselves only.
- A group's averages (never anyone's answers): its own leads (an active LLME linked through
  ``WorkGroup.leads``), its hub's staff and the national team; and only where at least
  ``MIN_GROUP_PAIRS`` people answered both surveys (``surveys.impact``).

Anyone else is told the group does not exist (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from core import scoping
from workgroups.models import TAKEN_PLACE_STATUSES, Registration, RegistrationStatus, WorkGroup

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from participants.models import User

LeadLink = WorkGroup.leads.through


def participations(user: User) -> QuerySet[Registration]:
    """The user's registrations that make them a participant of the group."""
    if not (user.is_authenticated and user.is_active):
        return Registration.objects.none()
    return Registration.objects.filter(
        user=user, status=RegistrationStatus.ACTIVE, place__status__in=TAKEN_PLACE_STATUSES
    )


def active_participants(groups: QuerySet[WorkGroup] | list[int]) -> QuerySet[Registration]:
    """Every participant's registration in these groups (a queryset or ids)."""
    return Registration.objects.filter(
        work_group__in=groups,
        status=RegistrationStatus.ACTIVE,
        place__status__in=TAKEN_PLACE_STATUSES,
    )


def summary_groups(user: User) -> QuerySet[WorkGroup]:
    """The groups whose survey averages this user may see."""
    if not (user.is_authenticated and user.is_active):
        return WorkGroup.objects.none()
    if scoping.is_national(user):
        return WorkGroup.objects.all()
    led = LeadLink.objects.filter(llme__user=user, llme__active=True).values("workgroup_id")
    return WorkGroup.objects.filter(Q(pk__in=led) | Q(hub_id__in=scoping.staff_hub_ids(user)))


def may_see_summary(user: User, work_group: WorkGroup) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if scoping.can_manage_hub(user, work_group.hub_id):
        return True
    return LeadLink.objects.filter(
        workgroup_id=work_group.pk, llme__user=user, llme__active=True
    ).exists()
