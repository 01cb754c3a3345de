"""The rules the services keep, checked over the whole database.

The demo seeder writes its data in bulk, without the services; the same checks run over the
seeded data and over data made through the services, so both are held to one standard.
Each check is one query and names what it found.
"""

from django.db.models import Count, F, Q

from evaluations.models import EvaluationStatus, WorkGroupEvaluation
from participants.models import SchoolLeaderClaim, UserRole
from workgroups.models import (
    ACTIVE_PLACE_STATUSES,
    PROMOTABLE_GROUP_STATUSES,
    TAKEN_PLACE_STATUSES,
    Attendance,
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
    WorkGroupStatus,
    places_counted,
    registrations_counted,
)


def broken_invariants() -> list[str]:
    """Every rule broken anywhere in the database, in words; empty when all hold."""
    # Counted from the rows, not read from the counters: the counters are checked against them.
    groups = WorkGroup.objects.annotate(
        places_taken=places_counted(TAKEN_PLACE_STATUSES),
        places_waitlisted=places_counted([PlaceStatus.WAITLISTED]),
    )
    active = Registration.objects.filter(status=RegistrationStatus.ACTIVE)
    signed_off = WorkGroupEvaluation.objects.filter(status=EvaluationStatus.SIGNED_OFF)
    checks = {
        "a group has more schools with a place than places": groups.filter(
            places_taken__gt=F("capacity")
        ),
        "a full group has a free place": groups.filter(
            status=WorkGroupStatus.FULL, places_taken__lt=F("capacity")
        ),
        "a recruiting group has no free place": groups.filter(
            status=WorkGroupStatus.RECRUITING, places_taken__gte=F("capacity")
        ),
        "a school waits while a place is free": groups.filter(
            status__in=PROMOTABLE_GROUP_STATUSES,
            places_waitlisted__gt=0,
            places_taken__lt=F("capacity"),
        ),
        "a group's places taken or waiting list disagrees with its places": groups.exclude(
            taken_count=F("places_taken"), waitlisted_count=F("places_waitlisted")
        ),
        "a place's number of participants disagrees with its registrations": (
            Place.objects.annotate(counted=registrations_counted()).exclude(
                registration_count=F("counted")
            )
        ),
        "a school sends more people in a role than the project allows": active.values(
            "place", "role", "role__max_per_school"
        )
        .annotate(people=Count("pk"))
        .filter(people__gt=F("role__max_per_school")),
        "a person is registered in another group than their place's": Registration.objects.exclude(
            work_group=F("place__work_group")
        ),
        "a person is registered for another school than their own": active.exclude(
            user__school=F("place__school")
        ),
        "a withdrawn or declined place still has people in it": active.exclude(
            place__status__in=ACTIVE_PLACE_STATUSES
        ),
        "a school has two active places in one group": Place.objects.filter(
            status__in=ACTIVE_PLACE_STATUSES
        )
        .values("work_group", "school")
        .annotate(n=Count("pk"))
        .filter(n__gt=1),
        "attendance is marked for someone outside the session's group": Attendance.objects.exclude(
            registration__work_group=F("session__work_group")
        ),
        "a signed-off group's evidence is not locked": WorkGroup.objects.filter(
            evaluation__in=signed_off, evidence_locked_at__isnull=True
        ),
        "a group's evidence is locked with no signed-off evaluation": WorkGroup.objects.filter(
            evidence_locked_at__isnull=False
        ).exclude(Q(evaluation__in=signed_off)),
        "a confirmed place has no decision time": Place.objects.filter(
            status=PlaceStatus.CONFIRMED, decided_at__isnull=True
        ),
        "an open school leader claim is not what the person's profile says": (
            SchoolLeaderClaim.objects.open().exclude(
                user__role=UserRole.SCHOOL_LEADER, user__school=F("school")
            )
        ),
        "a school leader claim is decided without a decision time": (
            SchoolLeaderClaim.objects.exclude(status="pending").filter(decided_at__isnull=True)
        ),
    }
    return [rule for rule, rows in checks.items() if rows.exists()]
