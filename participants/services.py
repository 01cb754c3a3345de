"""Changes to a participant's own details, school leader claims, and the school finder.

Views, forms and the admin call these; the business rules (a name is needed, the role is one we
know, the school is open, who may confirm a school leader) live here so that every caller gets
the same answer in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from core.email import absolute_url, send_templated
from core.errors import DomainError
from core.text import is_plain_number
from participants import rules
from participants.models import ClaimStatus, Phase, School, SchoolLeaderClaim, User, UserRole

NAME_MAX_LENGTH = User._meta.get_field("last_name").max_length
CLAIM_REASON_MAX_LENGTH = SchoolLeaderClaim._meta.get_field("reason").max_length
SCHOOL_QUERY_MAX_LENGTH = 100
SCHOOL_RESULTS_LIMIT = 20
# A URN is six digits today; anything much longer cannot be one (and would overflow the column).
_URN_MAX_DIGITS = 9
# Each word must match somewhere; a handful of words is plenty to find any school.
_MAX_SEARCH_WORDS = 5


class LeaderClaimError(DomainError):
    """A school leader claim could not be decided; the reason is in words a person can read."""


class ProfileError(DomainError):
    """The profile could not be saved; ``errors`` maps each field to reasons a teacher can read."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__([reason for reasons in errors.values() for reason in reasons])


def _clean_name(value: str, label: str, errors: dict[str, list[str]], field: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [f"Enter your {label}."]
    elif len(value) > NAME_MAX_LENGTH:
        errors[field] = [f"Your {label} must be {NAME_MAX_LENGTH} characters or fewer."]
    return value


def _profile_errors(*, first_name: str, last_name: str, role: str, school: School | None):
    errors: dict[str, list[str]] = {}
    first_name = _clean_name(first_name, "first name", errors, "first_name")
    last_name = _clean_name(last_name, "last name", errors, "last_name")
    if role not in UserRole.values:
        errors["role"] = ["Choose your role from the list."]
    if school is None or school.pk is None:
        errors["school"] = ["Choose your school."]
    elif not school.is_open:
        errors["school"] = [f"{school.name} is closed, so it cannot be chosen. Choose your school."]
    return first_name, last_name, errors


@transaction.atomic
def update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    role: str,
    phases: Iterable[Phase],
    school: School | None,
    reminder_emails: bool | None = None,
) -> User:
    """Save a participant's name, role, phases taught and school, or raise ``ProfileError``;
    and their choice of reminder emails, where given.

    Registration depends on these (``User.has_profile``), so nothing is saved unless all of them
    are acceptable.
    """
    first_name, last_name, errors = _profile_errors(
        first_name=first_name, last_name=last_name, role=role, school=school
    )
    if errors:
        raise ProfileError(errors)
    changed = (user.role, user.school_id) != (role, school.pk)
    user.first_name, user.last_name, user.role, user.school = first_name, last_name, role, school
    fields = ["first_name", "last_name", "role", "school"]
    if reminder_emails is not None:
        user.reminder_emails = reminder_emails
        fields.append("reminder_emails")
    user.save(update_fields=fields)
    user.phases.set(phases)
    sync_leader_claim(user=user, reopen=changed)
    return user


# School leader claims -------------------------------------------------------------------------


def _close_claim(claim: SchoolLeaderClaim, status: str, *, by: User | None, reason: str = ""):
    claim.status, claim.decided_by, claim.decided_at = status, by, timezone.now()
    claim.reason = reason[:CLAIM_REASON_MAX_LENGTH]
    claim.save(update_fields=["status", "decided_by", "decided_at", "reason"])


@transaction.atomic
def sync_leader_claim(*, user: User, reopen: bool = False) -> SchoolLeaderClaim | None:
    """Make the user's claim follow their profile: one open claim for their school while they
    say they lead it, none otherwise. Returns the open claim, if any.

    A claim that was not confirmed stands until the person chooses the role or the school
    again (``reopen``), so saving an unchanged profile does not ask the hub a second time.
    """
    wanted = user.school_id if user.role == UserRole.SCHOOL_LEADER else None
    User.objects.select_for_update().only("pk").get(pk=user.pk)  # one change of claim at a time
    current = SchoolLeaderClaim.objects.open().filter(user=user).first()
    if current is not None and current.school_id == wanted:
        return current
    if current is not None:
        reason = "They changed school." if wanted else "They no longer lead the school."
        _close_claim(current, ClaimStatus.WITHDRAWN, by=user, reason=reason)
    if wanted is None:
        return None
    if not reopen and SchoolLeaderClaim.objects.filter(user=user, school_id=wanted).exists():
        return None
    return SchoolLeaderClaim.objects.create(user=user, school_id=wanted)


@transaction.atomic
def withdraw_leader_claims(*, user: User, reason: str = "") -> int:
    """End the user's open claim (their account is closing); the record of it stays."""
    claims = list(SchoolLeaderClaim.objects.open().filter(user=user).select_for_update())
    for claim in claims:
        _close_claim(claim, ClaimStatus.WITHDRAWN, by=None, reason=reason)
    return len(claims)


def _claim_to_decide(claim: SchoolLeaderClaim, by: User) -> SchoolLeaderClaim:
    """The claim, locked, once ``by`` may decide it and it is still waiting."""
    claim = (
        SchoolLeaderClaim.objects.select_for_update(of=("self",))
        .select_related("user", "school__hub")
        .get(pk=claim.pk)
    )
    if not rules.may_decide_leader_claim(by, claim):
        raise LeaderClaimError(
            f"Only {claim.confirmer} or a confirmed leader of "
            f"{claim.school.name} can decide whether {claim.user} leads it."
        )
    if claim.status != ClaimStatus.PENDING:
        raise LeaderClaimError(
            f"{claim.user}'s claim to lead {claim.school.name} is no longer waiting: it is "
            f"{claim.get_status_display().lower()}."
        )
    return claim


def _tell_claimant(claim: SchoolLeaderClaim, template: str) -> None:
    context = {
        "claim": claim,
        "profile_url": absolute_url(reverse("participants:profile")),
    }
    send_templated(template, [claim.user.email], context)


@transaction.atomic
def confirm_leader_claim(*, claim: SchoolLeaderClaim, by: User) -> SchoolLeaderClaim:
    """The school's hub or one of its confirmed leaders confirms that ``claim.user`` leads it."""
    claim = _claim_to_decide(claim, by)
    _close_claim(claim, ClaimStatus.CONFIRMED, by=by)
    _tell_claimant(claim, "leader_claim_confirmed")
    return claim


@transaction.atomic
def reject_leader_claim(
    *, claim: SchoolLeaderClaim, by: User, reason: str = ""
) -> SchoolLeaderClaim:
    """The school's hub or one of its confirmed leaders says ``claim.user`` does not lead it."""
    claim = _claim_to_decide(claim, by)
    _close_claim(claim, ClaimStatus.REJECTED, by=by, reason=(reason or "").strip())
    _tell_claimant(claim, "leader_claim_rejected")
    return claim


def _search_words(query: str) -> list[str]:
    # No school's name holds a null character, and PostgreSQL refuses one in a query.
    words = (query or "").replace("\x00", " ").strip()[:SCHOOL_QUERY_MAX_LENGTH].split()
    return words[:_MAX_SEARCH_WORDS]


def search_schools(query: str, *, limit: int = SCHOOL_RESULTS_LIMIT) -> QuerySet[School]:
    """Open schools whose name, town or postcode holds every word typed, or whose URN it is.

    One query whatever the number of schools: the filter and the limit run in the database,
    exact URN matches and names that start with the query come first.
    """
    words = _search_words(query)
    if not words:
        return School.objects.none()
    matches_words = Q()
    for word in words:
        matches_words &= (
            Q(name__icontains=word) | Q(town__icontains=word) | Q(postcode__icontains=word)
        )
    whole = " ".join(words)
    compact = whole.replace(" ", "")
    condition = matches_words | Q(postcode__iexact=whole)
    urn_first = Value(1)
    if is_plain_number(compact) and len(compact) <= _URN_MAX_DIGITS:
        condition |= Q(urn=int(compact))
        urn_first = Case(When(urn=int(compact), then=Value(0)), default=Value(1))
    starts_first = Case(When(name__istartswith=whole, then=Value(0)), default=Value(1))
    return (
        School.objects.open()
        .filter(condition)
        .annotate(urn_rank=urn_first, name_rank=starts_first)
        .order_by("urn_rank", "name_rank", "name", "urn")
        .only("pk", "urn", "name", "town", "postcode", "status")[:limit]
    )
