"""Changes to a participant's own details, and the school finder the profile form uses.

Views and forms call these; the business rules (a name is needed, the role is one we know, the
school is open) live here so that every caller gets the same answer in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When

from core.errors import DomainError
from participants.models import Phase, School, User, UserRole

NAME_MAX_LENGTH = User._meta.get_field("last_name").max_length
SCHOOL_QUERY_MAX_LENGTH = 100
SCHOOL_RESULTS_LIMIT = 20
# A URN is six digits today; anything much longer cannot be one (and would overflow the column).
_URN_MAX_DIGITS = 9
# Each word must match somewhere; a handful of words is plenty to find any school.
_MAX_SEARCH_WORDS = 5


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
) -> User:
    """Save a participant's name, role, phases taught and school, or raise ``ProfileError``.

    Registration depends on these (``User.has_profile``), so nothing is saved unless all of them
    are acceptable.
    """
    first_name, last_name, errors = _profile_errors(
        first_name=first_name, last_name=last_name, role=role, school=school
    )
    if errors:
        raise ProfileError(errors)
    user.first_name, user.last_name, user.role, user.school = first_name, last_name, role, school
    user.save(update_fields=["first_name", "last_name", "role", "school"])
    user.phases.set(phases)
    return user


def _search_words(query: str) -> list[str]:
    return (query or "").strip()[:SCHOOL_QUERY_MAX_LENGTH].split()[:_MAX_SEARCH_WORDS]


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
    if compact.isdigit() and len(compact) <= _URN_MAX_DIGITS:
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
