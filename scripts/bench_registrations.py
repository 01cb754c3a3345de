"""Registrations per second under contention, through the real service.

``processes`` processes call ``workgroups.services.registration.register`` at once, each for its
own share of ``registrants`` new teachers from distinct eligible schools, all into one new group
of ``capacity`` places. The service locks the group's row while it counts places, so they queue
on that lock: the rate is how fast one group can take registrations. Afterwards exactly
``capacity`` places must be confirmed, the rest waitlisted in the order they asked, the group
full. The group, its people and everything they caused (outbox, audit trail) are deleted again,
so the demo data is as it was.

Needs Django set up with ``mathshub.bench_settings``; ``scripts/bench.py`` runs it, and so does

    DJANGO_SETTINGS_MODULE=mathshub.bench_settings python scripts/bench_registrations.py
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUP_NAME = "Benchmark: registrations under contention"
EMAIL_PREFIX = "bench.registrant."


@dataclass
class Outcome:
    registrants: int
    processes: int
    capacity: int
    seconds: float
    failures: list[str]
    confirmed: int
    waitlisted: int
    other_places: int
    active_registrations: int
    group_status: str
    served_in_order: bool

    @property
    def per_second(self) -> float:
        return self.registrants / self.seconds if self.seconds else 0.0

    @property
    def correct(self) -> bool:
        return (
            not self.failures
            and self.confirmed == self.capacity
            and self.waitlisted == self.registrants - self.capacity
            and self.other_places == 0
            and self.active_registrations == self.registrants
            and self.group_status == "full"
            and self.served_in_order
        )

    def summary(self) -> str:
        verdict = "correct" if self.correct else "WRONG"
        lines = [
            f"{self.registrants} registrations by {self.processes} processes into one group of "
            f"{self.capacity} places in {self.seconds:.2f} s: {self.per_second:.0f} per second",
            f"confirmed places {self.confirmed} (capacity {self.capacity}), waitlisted "
            f"{self.waitlisted}, other places {self.other_places}, active registrations "
            f"{self.active_registrations}, group {self.group_status}, waiting list in the order "
            f"schools asked: {'yes' if self.served_in_order else 'NO'}: {verdict}",
        ]
        lines += [f"  failed: {failure}" for failure in self.failures[:10]]
        return "\n".join(lines)


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mathshub.bench_settings")
    import django

    django.setup()


def cleanup() -> None:
    """Delete the benchmark's group, people, their emails and their audit trail."""
    from auditlog.context import disable_auditlog
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from core.models import OutboxMessage
    from participants.models import User
    from workgroups.models import Place, Registration, WorkGroup

    with transaction.atomic(), disable_auditlog():
        groups = list(WorkGroup.objects.filter(name=GROUP_NAME).values_list("pk", flat=True))
        users = User.objects.filter(email__startswith=EMAIL_PREFIX)
        trail = {
            WorkGroup: groups,
            Place: list(Place.objects.filter(work_group__in=groups).values_list("pk", flat=True)),
            Registration: list(
                Registration.objects.filter(work_group__in=groups).values_list("pk", flat=True)
            ),
            User: list(users.values_list("pk", flat=True)),
        }
        for model, keys in trail.items():
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_pk__in=[str(key) for key in keys],
            ).delete()
        OutboxMessage.objects.filter(to__startswith=EMAIL_PREFIX).delete()
        WorkGroup.objects.filter(pk__in=groups).delete()
        users.delete()


def prepare(registrants: int, capacity: int) -> tuple[int, list[int]]:
    """A new recruiting group of an open project, and a new teacher at each of ``registrants``
    eligible schools; returns the group's key and the teachers'."""
    from auditlog.context import disable_auditlog
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from demo.context import DOMAIN
    from participants.models import PHASES_TAUGHT, Hub, School, SchoolStatus, User, UserRole
    from projects.models import AcademicYear, Project, Recruitment
    from workgroups.models import WorkGroup, WorkGroupStatus

    year = AcademicYear.objects.current()
    project = (
        Project.objects.filter(
            years=year,
            recruitment=Recruitment.OPEN,
            requires_approval=False,
            roles__isnull=False,
            eligible_hubs__isnull=True,
            eligible_regions__isnull=True,
            eligible_local_authorities__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if project is None:
        raise RuntimeError("no open project without approval this year: is the demo data seeded?")
    schools = School.objects.exclude(
        status__in=[SchoolStatus.CLOSED, SchoolStatus.PROPOSED_TO_OPEN]
    )
    if project.state_funded_only:
        schools = schools.filter(is_state_funded=True)
    phases = set(project.phases.values_list("code", flat=True))
    if phases:  # schools that teach one of the project's phases
        schools = schools.filter(
            phase__in=[phase for phase, taught in PHASES_TAUGHT.items() if taught & phases]
        )
    schools = list(schools.order_by("pk").values_list("pk", flat=True)[:registrants])
    if len(schools) < registrants:
        raise RuntimeError(f"only {len(schools)} eligible schools for {registrants} registrants")
    password = make_password(None)
    with transaction.atomic(), disable_auditlog():
        group = WorkGroup.objects.create(
            project=project,
            hub=Hub.objects.order_by("pk").first(),
            academic_year=year,
            name=GROUP_NAME,
            capacity=capacity,
            status=WorkGroupStatus.RECRUITING,
        )
        users = User.objects.bulk_create(
            User(
                email=f"{EMAIL_PREFIX}{n}@{DOMAIN}",
                first_name="Bench",
                last_name=f"Registrant {n}",
                role=UserRole.TEACHER,
                school_id=school,
                password=password,
            )
            for n, school in enumerate(schools)
        )
    return group.pk, [user.pk for user in users]


def _register_all(group_id: int, user_ids: list[int], barrier, results) -> None:
    """One process: load its teachers, wait for the others, register each in turn."""
    _setup_django()
    from django.db import connection

    from participants.models import User
    from workgroups.models import WorkGroup
    from workgroups.services.registration import register

    failures = []
    try:
        users = list(User.objects.filter(pk__in=user_ids).order_by("pk"))
        group = WorkGroup(pk=group_id)
        connection.ensure_connection()
    except Exception as error:
        barrier.abort()
        results.put([f"setting up: {error!r}"])
        return
    barrier.wait()
    for user in users:
        try:
            register(user=user, work_group=group)
        except Exception as error:
            failures.append(f"{user.email}: {error!r}")
    connection.close()
    results.put(failures)


def check(group_id: int, registrants: int, processes: int, capacity: int, seconds: float, failures):
    from django.db.models import Max, Min

    from workgroups.models import PlaceStatus, Registration, RegistrationStatus, WorkGroup

    group = WorkGroup.objects.get(pk=group_id)
    places = group.places.all()
    confirmed = places.filter(status=PlaceStatus.CONFIRMED)
    waitlisted = places.filter(status=PlaceStatus.WAITLISTED)
    last_confirmed = confirmed.aggregate(at=Max("requested_at"))["at"]
    first_waiting = waitlisted.aggregate(at=Min("requested_at"))["at"]
    return Outcome(
        registrants=registrants,
        processes=processes,
        capacity=capacity,
        seconds=seconds,
        failures=failures,
        confirmed=confirmed.count(),
        waitlisted=waitlisted.count(),
        other_places=places.exclude(
            status__in=[PlaceStatus.CONFIRMED, PlaceStatus.WAITLISTED]
        ).count(),
        active_registrations=Registration.objects.filter(
            work_group=group, status=RegistrationStatus.ACTIVE
        ).count(),
        group_status=group.status,
        served_in_order=(
            last_confirmed is None or first_waiting is None or last_confirmed <= first_waiting
        ),
    )


def run(registrants: int = 400, processes: int = 8, capacity: int = 100) -> Outcome:
    """Register ``registrants`` teachers from ``processes`` processes at once; check; clean up."""
    from django.db import connections

    cleanup()
    group_id, users = prepare(registrants, capacity)
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(
            target=_register_all, args=(group_id, users[n::processes], barrier, results)
        )
        for n in range(processes)
    ]
    try:
        for worker in workers:
            worker.start()
        barrier.wait(timeout=300)
        started = time.perf_counter()
        failures = [failure for _ in workers for failure in results.get(timeout=600)]
        seconds = time.perf_counter() - started
        for worker in workers:
            worker.join()
        return check(group_id, registrants, processes, capacity, seconds, failures)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        cleanup()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrants", type=int, default=400)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--capacity", type=int, default=100)
    options = parser.parse_args()
    _setup_django()
    outcome = run(options.registrants, options.processes, options.capacity)
    print(outcome.summary())
    sys.exit(0 if outcome.correct else 1)
