"""iCalendar (RFC 5545) feeds of sessions, written by hand: the format is small and stable.

Lines end in CRLF, text values are escaped, long lines are folded at 75 octets, and times are
given in UTC so every calendar program agrees on them.

A group's public feed gives dates and places only. Joining links and the lead's plans for a
session reach its participants alone, through their own secret feed (``private=True``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from participants.models import User, new_calendar_token
from workgroups.models import (
    TAKEN_PLACE_STATUSES,
    DeliveryMode,
    RegistrationStatus,
    Session,
)

PRODID = "-//Maths Hubs//CPD sessions//EN"
UID_DOMAIN = "sessions.mathshubs.cpd"


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


PUBLIC_JOINING_NOTE = "Participants find the joining link on their registrations page."


def _location(session: Session, *, private: bool) -> str:
    if session.mode == DeliveryMode.ONLINE:
        return (session.joining_link if private else "") or "Online"
    return session.venue or session.work_group.venue


def _description(session: Session, *, private: bool) -> str:
    group = session.work_group
    description = f"{group.project.title}, run by {group.hub.name}."
    if private and session.planned:
        description += f"\n\n{session.planned}"
    if not private and session.joining_link:
        description += f"\n\n{PUBLIC_JOINING_NOTE}"
    return description


def _event(session: Session, stamp: str, *, private: bool) -> list[str]:
    group = session.work_group
    lines = [
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@{UID_DOMAIN}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{escape_text(f'{group.name}: session {session.number}')}",
        f"DESCRIPTION:{escape_text(_description(session, private=private))}",
        f"STATUS:{'CANCELLED' if session.cancelled else 'CONFIRMED'}",
    ]
    location = _location(session, private=private)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if private and session.joining_link:
        lines.append(f"URL:{session.joining_link}")
    lines.append("END:VEVENT")
    return lines


def render_calendar(sessions: Iterable[Session], name: str, *, private: bool = False) -> str:
    """A VCALENDAR holding one VEVENT per session (sessions need work_group__project/hub).

    Only a participant's own feed is ``private``: it alone carries joining links and plans."""
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for session in sessions:
        lines.extend(_event(session, stamp, private=private))
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def sessions_for_group(work_group_id: int):
    return (
        Session.objects.filter(work_group_id=work_group_id)
        .select_related("work_group__project", "work_group__hub")
        .order_by("starts_at")
    )


def sessions_for_user(user: User):
    """Sessions of groups where the user's registration is active and the place is theirs."""
    return (
        Session.objects.filter(
            work_group__registrations__user=user,
            work_group__registrations__status=RegistrationStatus.ACTIVE,
            work_group__registrations__place__status__in=TAKEN_PLACE_STATUSES,
        )
        .select_related("work_group__project", "work_group__hub")
        .order_by("starts_at")
        .distinct()
    )


@transaction.atomic
def reset_calendar_token(*, user: User) -> str:
    """Give the user a new secret feed address; the old one stops working at once."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
