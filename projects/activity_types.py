"""How each of the four activity types works, stated once.

Every difference between a Work Group, a programme, a community and Targeted Support in
Maths is read from here (``rules_for``) by the services that enforce it and the pages that
word it; nothing else tests a project's activity type to decide what may happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class ActivityType(models.TextChoices):
    WORK_GROUP = "work_group", "Work Group"
    PROGRAMME = "programme", "Programme"
    COMMUNITY = "community", "Community"
    TARGETED_SUPPORT = "targeted_support", "Targeted Support in Maths"


class Joining:
    """Who takes part in a group."""

    # The school takes a place; its confirmed leaders may name colleagues for its roles.
    SCHOOL = "school"
    # Each teacher joins in their own right, from their school; nobody names anyone else.
    INDIVIDUAL = "individual"


@dataclass(frozen=True)
class ActivityRules:
    label: str
    group_noun: str  # what a group is called, unless the project names it (``group_name``)
    joining: str  # ``Joining.SCHOOL`` or ``Joining.INDIVIDUAL``
    always_needs_approval: bool  # the hub decides on every place, whatever the project says
    between_session_tasks: bool  # leads set a task after a session; teachers report back
    evaluation: bool  # the end-of-year evaluation of the four outcome areas
    action_plan: bool  # short, medium and long-term milestones, recorded with their progress
    schools_per_group: int | None  # at most this many places in one group; None: as planned
    summary: str  # one sentence for people choosing a project

    @property
    def colleagues_named(self) -> bool:
        return self.joining == Joining.SCHOOL


RULES: dict[str, ActivityRules] = {
    ActivityType.WORK_GROUP: ActivityRules(
        label=ActivityType.WORK_GROUP.label,
        group_noun="Work Group",
        joining=Joining.SCHOOL,
        always_needs_approval=False,
        between_session_tasks=True,
        evaluation=True,
        action_plan=False,
        schools_per_group=None,
        summary="Schools take a place; their teachers plan, try and refine lessons together "
        "between sessions.",
    ),
    ActivityType.PROGRAMME: ActivityRules(
        label=ActivityType.PROGRAMME.label,
        group_noun="cohort",
        joining=Joining.INDIVIDUAL,
        always_needs_approval=True,
        between_session_tasks=True,
        evaluation=True,
        action_plan=False,
        schools_per_group=None,
        summary="Teachers join a cohort in their own right; the hub confirms each place.",
    ),
    ActivityType.COMMUNITY: ActivityRules(
        label=ActivityType.COMMUNITY.label,
        group_noun="community",
        joining=Joining.INDIVIDUAL,
        always_needs_approval=False,
        between_session_tasks=False,
        evaluation=False,
        action_plan=False,
        schools_per_group=None,
        summary="Teachers join a community in their own right and meet through the year.",
    ),
    ActivityType.TARGETED_SUPPORT: ActivityRules(
        label=ActivityType.TARGETED_SUPPORT.label,
        group_noun="support group",
        joining=Joining.SCHOOL,
        always_needs_approval=True,
        between_session_tasks=False,
        evaluation=True,
        action_plan=True,
        schools_per_group=1,
        summary="Casework with one school: an action plan of short, medium and long-term "
        "milestones, agreed with the hub.",
    ),
}


def rules_for(activity_type: str) -> ActivityRules:
    """The rules of ``activity_type`` (a project's ``activity_type``)."""
    return RULES[activity_type]
