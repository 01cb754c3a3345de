"""A participant's own data: a copy of everything held about them, and erasing them.

Erasing anonymises the account rather than deleting it. Registrations, attendance marks and
completed places are what the national reports count, so the ``User`` row stays (with no name,
no email, no way to sign in) and every figure built on it stays true. Work still in progress is
withdrawn through ``workgroups.services.withdraw`` so the waiting list moves on as usual;
finished work (a completed place or group) is history and is kept, anonymously.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session as LoginSession
from django.db import transaction
from django.db.models import IntegerField, Q, QuerySet, Subquery
from django.utils import timezone

from core import audit, outbox
from core.errors import DomainError
from participants.models import LLME, HubMembership, SchoolLeaderClaim, User, new_calendar_token
from participants.services import withdraw_leader_claims
from projects.models import Interest
from surveys.models import Response
from surveys.services import anonymise_answers, personal_answers
from workgroups.models import (
    CLOSED_PLACE_STATUSES,
    FINISHED_GROUP_STATUSES,
    Attendance,
    GapTaskResponse,
    Nomination,
    Registration,
    RegistrationStatus,
)
from workgroups.services import withdraw

ERASED_FIRST_NAME = "Erased"
ERASED_LAST_NAME = "participant"
# ".invalid" is reserved (RFC 2606) so nothing can ever be delivered there, yet the address
# still passes email validation, so the admin can open and save the row.
ERASED_EMAIL_DOMAIN = "erased.invalid"
STAFF_REFUSAL = (
    "Your account is used to run a hub or lead groups; ask the national team to close it."
)
# Finished work is what the national figures count: it is kept, anonymously, not withdrawn.
DB_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


class PrivacyError(DomainError):
    """An account could not be erased; the reason is in words the person can read."""


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"


def erase_refusal(user: User) -> str | None:
    """Why this account cannot erase itself, or ``None`` when it can.

    Staff, the national team, hub staff and LLMEs run things other people rely on (groups,
    evaluations, the admin), so closing their accounts is the national team's decision.
    """
    if user.is_staff or user.is_superuser or user.is_national_team:
        return STAFF_REFUSAL
    if HubMembership.objects.filter(user=user).exists() or LLME.objects.filter(user=user).exists():
        return STAFF_REFUSAL
    return None


def _when(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return value.isoformat()


class _CountOf(Subquery):
    """The number of rows a queryset returns, as a value of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


# Each kind of data held about a person, as the rows that hold it: the download lists them and
# the summary counts them, so the two always agree.
HELD_ROWS: dict[str, Callable[[User], QuerySet]] = {
    "email_addresses": lambda user: EmailAddress.objects.filter(user=user),
    "registrations": lambda user: Registration.objects.filter(user=user),
    "attendance": lambda user: Attendance.objects.filter(registration__user=user),
    "gap_task_responses": lambda user: GapTaskResponse.objects.filter(registration__user=user),
    "survey_responses": lambda user: Response.objects.filter(user=user),
    "interests": lambda user: Interest.objects.filter(user=user),
    "nominations_made": lambda user: Nomination.objects.filter(invited_by=user),
    "nominations_naming_you": lambda user: Nomination.objects.filter(
        Q(email__iexact=user.email) | Q(user=user) | Q(registration__user=user)
    ),
    "school_leader_claims": lambda user: SchoolLeaderClaim.objects.filter(user=user),
    "llme_roles": lambda user: LLME.objects.filter(user=user),
    "hub_staff_roles": lambda user: HubMembership.objects.filter(user=user),
}


def personal_data_summary(*, user: User) -> dict[str, Any]:
    """What the "Your data" page shows: the profile, and how many of each kind of data there
    are (one query for all the counts)."""
    person = User.objects.select_related("school").prefetch_related("phases").get(pk=user.pk)
    counts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            **{
                f"n_{kind}": _CountOf(rows(person).order_by().values("pk"))
                for kind, rows in HELD_ROWS.items()
            }
        )
        .values(*(f"n_{kind}" for kind in HELD_ROWS))
        .get()
    )
    return {
        "profile": _profile(person),
        "counts": {name.removeprefix("n_"): n for name, n in counts.items()},
    }


def personal_data(*, user: User) -> dict[str, Any]:
    """Everything the site holds about ``user``, JSON-ready, in a fixed number of queries."""
    person = User.objects.select_related("school").prefetch_related("phases").get(pk=user.pk)
    return {
        "generated_at": _when(timezone.now()),
        "profile": _profile(person),
        "email_addresses": _email_addresses(person),
        "registrations": _registrations(person),
        "attendance": _attendance(person),
        "gap_task_responses": _gap_task_responses(person),
        "survey_responses": personal_answers(user=person),
        "interests": _interests(person),
        "nominations_made": _nominations_made(person),
        "nominations_naming_you": _nominations_naming(person),
        "school_leader_claims": _leader_claims(person),
        "llme_roles": _llme_roles(person),
        "hub_staff_roles": _hub_staff_roles(person),
    }


def _profile(user: User) -> dict[str, Any]:
    school = user.school
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.get_role_display(),
        "school": {"urn": school.urn, "name": school.name} if school else None,
        "phases_taught": [phase.name for phase in user.phases.all()],
        "date_joined": _when(user.date_joined),
        "last_sign_in": _when(user.last_login),
    }


def _email_addresses(user: User) -> list[dict[str, Any]]:
    addresses = HELD_ROWS["email_addresses"](user).order_by("-primary", "email")
    return [
        {"email": row.email, "verified": row.verified, "primary": row.primary} for row in addresses
    ]


def _registrations(user: User) -> list[dict[str, Any]]:
    registrations = (
        HELD_ROWS["registrations"](user)
        .select_related(
            "role",
            "place__school",
            "work_group__project",
            "work_group__hub",
            "work_group__academic_year",
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "group": row.work_group.name,
            "project": row.work_group.project.title,
            "hub": row.work_group.hub.name,
            "academic_year": row.work_group.academic_year.label,
            "role": row.role.name,
            "status": row.get_status_display(),
            "registered_at": _when(row.created_at),
            "withdrawn_at": _when(row.withdrawn_at),
            "school": row.place.school.name,
            "school_place_status": row.place.get_status_display(),
        }
        for row in registrations
    ]


def _attendance(user: User) -> list[dict[str, Any]]:
    marks = (
        HELD_ROWS["attendance"](user)
        .select_related("session__work_group")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "group": mark.session.work_group.name,
            "session": mark.session.number,
            "session_starts_at": _when(mark.session.starts_at),
            "status": mark.get_status_display(),
        }
        for mark in marks
    ]


def _gap_task_responses(user: User) -> list[dict[str, Any]]:
    responses = (
        HELD_ROWS["gap_task_responses"](user)
        .select_related("session_record__session__work_group")
        .order_by("session_record__session__starts_at", "pk")
    )
    return [
        {
            "group": row.session_record.session.work_group.name,
            "session": row.session_record.session.number,
            "task": row.session_record.gap_task,
            "what_i_did": row.what_i_did,
            "reflection": row.reflection,
            "submitted_at": _when(row.submitted_at),
        }
        for row in responses
    ]


def _interests(user: User) -> list[dict[str, Any]]:
    interests = HELD_ROWS["interests"](user).select_related(
        "offer__project", "offer__hub", "offer__academic_year"
    )
    return [
        {
            "project": row.offer.project.title,
            "hub": row.offer.hub.name,
            "academic_year": row.offer.academic_year.label,
            "note": row.note,
            "registered_at": _when(row.created_at),
        }
        for row in interests
    ]


def _nomination(row: Nomination) -> dict[str, Any]:
    return {
        "email": row.email,
        "group": row.place.work_group.name,
        "school": row.place.school.name,
        "role": row.role.name,
        "accepted": row.is_claimed,
        "status": row.get_status_display(),
        "made_at": _when(row.created_at),
    }


def _nominations_made(user: User) -> list[dict[str, Any]]:
    rows = HELD_ROWS["nominations_made"](user).select_related(
        "place__work_group", "place__school", "role"
    )
    return [_nomination(row) for row in rows]


def _nominations_naming(user: User) -> list[dict[str, Any]]:
    rows = HELD_ROWS["nominations_naming_you"](user).select_related(
        "place__work_group", "place__school", "role"
    )
    return [_nomination(row) for row in rows]


def _leader_claims(user: User) -> list[dict[str, Any]]:
    rows = HELD_ROWS["school_leader_claims"](user).select_related("school")
    return [
        {
            "school": row.school.name,
            "status": row.get_status_display(),
            "made_at": _when(row.created_at),
            "decided_at": _when(row.decided_at),
            "reason": row.reason,
        }
        for row in rows
    ]


def _llme_roles(user: User) -> list[dict[str, Any]]:
    rows = HELD_ROWS["llme_roles"](user).select_related("hub")
    return [
        {
            "hub": row.hub.name,
            "specialisms": row.specialisms,
            "accredited_on": _when(row.accredited_on),
            "active": row.active,
        }
        for row in rows
    ]


def _hub_staff_roles(user: User) -> list[dict[str, Any]]:
    rows = HELD_ROWS["hub_staff_roles"](user).select_related("hub")
    return [{"hub": row.hub.name, "role": row.get_role_display()} for row in rows]


@transaction.atomic
def erase_user(*, user: User) -> None:
    """Withdraw ``user`` from work in progress, then anonymise the account in place.

    Raises ``PrivacyError`` for accounts that run hubs or lead groups. Safe to run twice.
    """
    reason = erase_refusal(user)
    if reason:
        raise PrivacyError(reason)
    User.objects.select_for_update().only("pk").get(pk=user.pk)  # one erasure at a time
    for registration in registrations_to_withdraw(user=user):
        withdraw(registration=registration)
    emails = _all_emails(user)
    _forget_nominations(user, emails)
    outbox.forget_sent_to(emails)  # emails still to send (e.g. "you have withdrawn") still go
    withdraw_leader_claims(user=user, reason="The account was erased.")
    _blank_free_text(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()  # its secrets and recovery codes
    _anonymise(user)
    audit.anonymise(user, replacement=erased_email(user))  # the trail keeps what they did
    _end_sessions(user)


def registrations_to_withdraw(*, user: User) -> list[Registration]:
    """Active registrations in groups still going on: erasing withdraws these."""
    return list(
        Registration.objects.filter(user=user, status=RegistrationStatus.ACTIVE)
        .exclude(place__status__in=CLOSED_PLACE_STATUSES)
        .exclude(work_group__status__in=FINISHED_GROUP_STATUSES)
        .select_related("work_group__project", "work_group__hub")
        .order_by("created_at", "pk")
    )


def _all_emails(user: User) -> set[str]:
    addresses = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    return {user.email.lower(), *(email.lower() for email in addresses)}


def _forget_nominations(user: User, emails: set[str]) -> None:
    """Open invitations go; accepted ones stay (they explain a registration) without the email."""
    named = Q()
    for email in emails:
        named |= Q(email__iexact=email)
    Nomination.objects.filter(registration__isnull=True).filter(
        Q(invited_by=user) | Q(user=user) | named
    ).delete()
    Nomination.objects.filter(registration__user=user).update(email=erased_email(user))


def _blank_free_text(user: User) -> None:
    GapTaskResponse.objects.filter(registration__user=user).update(what_i_did="", reflection="")
    Interest.objects.filter(user=user).update(note="")
    anonymise_answers(user=user)  # survey ratings stay, on the anonymised account


def _anonymise(user: User) -> None:
    user.first_name = ERASED_FIRST_NAME
    user.last_name = ERASED_LAST_NAME
    user.email = erased_email(user)
    user.set_unusable_password()
    user.is_active = False
    user.last_login = None
    user.calendar_token = new_calendar_token()
    user.save()
    user.phases.clear()


def _end_sessions(user: User) -> None:
    """Sign them out everywhere. The unusable password already invalidates their sessions;
    deleting the stored ones as well leaves nothing behind that names them."""
    if settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        return
    stored = LoginSession.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    theirs = [
        row.session_key
        for row in stored.iterator(chunk_size=2000)
        if row.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    # Through the engine's store, so a copy kept in the cache (``cached_db``) goes as well.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in theirs:
        store(session_key).delete()
