"""Next year in minutes: last year's groups copied into a new year as drafts.

A copy keeps the group's project, hub, name, delivery, venue, places and its leads who are
still active; its recruitment dates move by whole years and its sessions to the same weekday
of the matching week of the new year, at the same times, through ``schedule_session`` (so
every session rule holds and they are numbered by date). Nothing about people is copied:
no places, registrations, attendance, records or tasks. A group is copied into a year once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core import audit, scoping
from core.errors import DomainError, Reason
from participants.models import User
from projects.models import AcademicYear
from workgroups.models import Session, WorkGroup, WorkGroupStatus
from workgroups.services.delivery import schedule_session
from workgroups.services.registration import check_capacity


class CopyError(DomainError):
    """A group cannot be copied into that year; the reason says why."""


@dataclass
class CopyOutcome:
    """What ``copy_groups`` did: the new drafts, and each group it refused with the reason."""

    copied: list[WorkGroup] = field(default_factory=list)
    refused: list[tuple[WorkGroup, str]] = field(default_factory=list)


def year_after(year: AcademicYear) -> AcademicYear | None:
    """The school year that starts next after ``year``, if the national team has added it."""
    return AcademicYear.objects.filter(starts_on__gt=year.starts_on).order_by("starts_on").first()


def shift_date(day: datetime.date | None, years: int) -> datetime.date | None:
    """``day`` moved by whole years (29 February becomes the 28th)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def matching_start(
    starts_at: datetime.datetime, from_year: AcademicYear, to_year: AcademicYear
) -> datetime.datetime | None:
    """The same weekday and local time in the matching week of ``to_year``: moved by the whole
    weeks between the years' starts (52 from one September to the next, or 53), or a week
    either side where that falls outside ``to_year``; ``None`` if none falls inside it."""
    weeks = round((to_year.starts_on - from_year.starts_on).days / 7)
    local = timezone.localtime(starts_at)
    for shift in (weeks, weeks + 1, weeks - 1):
        # Aware arithmetic in the local zone keeps the wall-clock time across clock changes.
        moved = local + datetime.timedelta(weeks=shift)
        if to_year.starts_on <= moved.date() <= to_year.ends_on:
            return moved
    return None


def check_copy(group: WorkGroup, to_year: AcademicYear | None, by: User) -> AcademicYear:
    """The year ``group`` would be copied into, or ``CopyError`` saying why it can't be."""
    if not scoping.can_manage_hub(by, group.hub_id):
        raise CopyError(f"{group.name} belongs to another hub, so you cannot copy it.")
    target = to_year or year_after(group.academic_year)
    if target is None:
        raise CopyError(
            f"There is no school year after {group.academic_year} yet; the national team "
            "adds each year."
        )
    if target.starts_on <= group.academic_year.starts_on:
        raise CopyError(
            Reason(
                f"{group.name} runs in {group.academic_year}: copy it into a later year.",
                field="to_year",
            )
        )
    if not group.project.years.filter(pk=target.pk).exists():
        raise CopyError(
            f"{group.project.title} does not run in {target}, so {group.name} cannot be "
            "copied into it."
        )
    earlier = WorkGroup.objects.filter(copied_from=group, academic_year=target).first()
    if earlier is not None:
        raise CopyError(f"{group.name} is already copied into {target} as “{earlier.name}”.")
    return target


@transaction.atomic
def copy_group(*, group: WorkGroup, to_year: AcademicYear | None, by: User) -> WorkGroup:
    """Copy one group into ``to_year`` (``None``: the year after its own) as a draft."""
    # Locked, so the same group copied twice at once makes one copy.
    source = WorkGroup.objects.locked(group)
    target = check_copy(source, to_year, by)
    try:  # the project's activity type may allow fewer places now (one school, say)
        check_capacity(source.project, source.capacity)
    except DomainError as error:
        raise CopyError(" ".join(error.reasons)) from error
    moves = _session_moves(source, target)
    years = target.starts_on.year - source.academic_year.starts_on.year
    with audit.by(by, reason=f"Copied from {source.name} ({source.academic_year})."):
        copy = WorkGroup.objects.create(
            project=source.project,
            hub=source.hub,
            academic_year=target,
            name=source.name,
            delivery_mode=source.delivery_mode,
            venue=source.venue,
            venue_school_id=source.venue_school_id,
            capacity=source.capacity,
            recruitment_opens=shift_date(source.recruitment_opens, years),
            recruitment_closes=shift_date(source.recruitment_closes, years),
            status=WorkGroupStatus.DRAFT,
            copied_from=source,
        )
        copy.leads.set(source.leads.filter(active=True))
        for session, starts_at in moves:
            try:
                schedule_session(
                    work_group=copy,
                    starts_at=starts_at,
                    ends_at=starts_at + (session.ends_at - session.starts_at),
                    mode=session.mode,
                    focus=session.focus,
                    venue=session.venue,
                    joining_link=session.joining_link,
                    planned=session.planned,
                    confirmed=True,  # sessions of the new year overlap as last year's did
                )
            except DomainError as error:
                raise CopyError(f"Session {session.number}: {' '.join(error.reasons)}") from error
    return copy


def _session_moves(
    source: WorkGroup, target: AcademicYear
) -> list[tuple[Session, datetime.datetime]]:
    """Each session still planned (not cancelled) with its start in ``target``."""
    moves = []
    for session in source.sessions.filter(cancelled=False).order_by("starts_at", "pk"):
        starts_at = matching_start(session.starts_at, source.academic_year, target)
        if starts_at is None:
            raise CopyError(
                f"Session {session.number} of {source.name} "
                f"({timezone.localtime(session.starts_at):%-d %B %Y}) has no matching day "
                f"in {target}."
            )
        moves.append((session, starts_at))
    return moves


def copy_groups(*, groups, to_year: AcademicYear | None, by: User) -> CopyOutcome:
    """Copy each of ``groups`` into ``to_year`` (``None``: each into the year after its own),
    as drafts. A group that cannot be copied is left out with the reason, and the others are
    still copied; each copy is its own transaction."""
    outcome = CopyOutcome()
    for group in groups:
        try:
            outcome.copied.append(copy_group(group=group, to_year=to_year, by=by))
        except CopyError as error:
            outcome.refused.append((group, " ".join(error.reasons)))
    return outcome
