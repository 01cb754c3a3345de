"""A group's sessions: numbered, on school days, with a focus and a plan.

Last year's groups met through the year; running groups have about half their sessions behind
them; every other group's sessions are still to come.
"""

from __future__ import annotations

import datetime

from demo import words
from demo.context import Context, at, school_day
from workgroups.models import DeliveryMode, Session, SessionFocus, WorkGroup, WorkGroupStatus

DAY = datetime.timedelta(days=1)
FOCUS_CYCLE = [SessionFocus.PLAN, SessionFocus.OBSERVE, SessionFocus.REFINE]


def schedule(ctx: Context, rng, build) -> list[Session]:
    group, project = build.model, build.project
    low, high = project.row.sessions
    count = min(10, max(6, rng.randint(low, high)))
    hour, minute, length = _timing(rng, project, group.delivery_mode)
    sessions = []
    for number, day in enumerate(_dates(ctx, rng, build, count), start=1):
        starts = at(day, hour, minute)
        mode = _mode(group, number)
        focus = SessionFocus.REVIEW if number == count else FOCUS_CYCLE[(number - 1) % 3]
        sessions.append(
            Session(
                work_group=group,
                number=number,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=length),
                mode=mode,
                venue=group.venue if mode != DeliveryMode.ONLINE else "",
                joining_link=_link(group, number) if mode == DeliveryMode.ONLINE else "",
                focus=focus,
                planned=words.PLANNED[focus].format(topic=build.topic),
                cancelled=group.status == WorkGroupStatus.CANCELLED or rng.random() < 0.02,
            )
        )
    return sessions


def _mode(group: WorkGroup, number: int) -> str:
    """Blended groups alternate: face-to-face first, then online."""
    if group.delivery_mode != DeliveryMode.BLENDED:
        return group.delivery_mode
    return DeliveryMode.ONLINE if number % 2 == 0 else DeliveryMode.FACE_TO_FACE


def _timing(rng, project, mode: str) -> tuple[int, int, int]:
    """(hour, minute, length in minutes): full days, afternoons or after-school twilights."""
    if project.row.full_days:
        return 9, 0, 390
    if mode == DeliveryMode.ONLINE:
        return rng.choice([(15, 45, 75), (16, 0, 60)])
    return rng.choice([(13, 30, 150), (16, 0, 90), (9, 30, 180)])


def _dates(ctx: Context, rng, build, count: int) -> list[datetime.date]:
    today = ctx.today
    year = ctx.years[build.year]
    gap = rng.randint(21, 35) * DAY
    if build.year == "previous":
        first = year.starts_on + rng.randint(21, 42) * DAY
        spread = (year.ends_on - 70 * DAY - first) / max(1, count - 1)
        gap = datetime.timedelta(days=max(14, min(gap, spread).days))
        days = [first + i * gap for i in range(count)]
    elif build.model.status == WorkGroupStatus.RUNNING:
        past = max(1, min(count - 1, round(count * rng.uniform(0.4, 0.7))))
        # Past sessions fit inside this school year (early in the year, as well as they can).
        window = (today - (year.starts_on + 7 * DAY)).days
        if window >= past:
            gap_back = min(gap, window // past * DAY)
            days = [today - (past - i) * gap_back for i in range(past)]
        else:
            days = [today - (past - i) * gap for i in range(past)]
        days += [today + 7 * DAY + i * gap for i in range(count - past)]
    else:
        first = max(today + rng.randint(21, 45) * DAY, year.starts_on + 21 * DAY)
        days = [first + i * gap for i in range(count)]
    dates: list[datetime.date] = []
    for day in days:
        day = school_day(day)
        if dates and day <= dates[-1]:  # a weekend moved it onto the last: a group meets once
            day = school_day(dates[-1] + DAY)
        dates.append(day)
    return dates


def _link(group: WorkGroup, number: int) -> str:
    slug = "".join(c for c in group.name.lower() if c.isalnum())[:40]
    return f"https://meet.demo.mathshub.test/{slug}-{number}"
