"""Changes of state around what is offered: registering interest in a hub's offer."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from core.errors import DomainError
from participants.models import User
from projects.models import AcademicYear, Interest, Offer, Project


class InterestError(DomainError):
    """Interest cannot be registered; the message is for the teacher."""


def offer_for(*, user: User, project: Project, academic_year: AcademicYear | None) -> Offer | None:
    """The offer of this project by the hub of the user's school this year, if there is one."""
    offers = _offers_for(user, project, academic_year)
    return offers.first() if offers is not None else None


def offer_with_interest(
    *, user: User, project: Project, academic_year: AcademicYear | None
) -> Offer | None:
    """``offer_for``, with ``user_interested``: whether the user has told the hub already."""
    offers = _offers_for(user, project, academic_year)
    if offers is None:
        return None
    interested = Interest.objects.filter(offer=OuterRef("pk"), user=user)
    return offers.annotate(user_interested=Exists(interested)).first()


def _offers_for(user: User, project: Project, academic_year: AcademicYear | None):
    school = user.school if user.school_id else None
    if school is None or school.hub_id is None or academic_year is None:
        return None
    # One offer per project, hub and year: ordered by its key, not the default's joins.
    return (
        Offer.objects.filter(project=project, hub_id=school.hub_id, academic_year=academic_year)
        .select_related("hub")
        .order_by("pk")
    )


@transaction.atomic
def register_interest(*, user: User, project: Project, note: str = "") -> Interest:
    """Tell the hub of the user's school that they want this project when no group suits."""
    school = user.school if user.school_id else None
    if school is None:
        raise InterestError("Add your school to your profile first.")
    if school.hub_id is None:
        raise InterestError(f"{school.name} is not linked to a Maths Hub yet.")
    offer = offer_for(user=user, project=project, academic_year=AcademicYear.objects.current())
    if offer is None:
        raise InterestError(f"{school.hub.name} is not offering {project.title} this year.")
    if Interest.objects.filter(offer=offer, user=user).exists():
        raise _already_interested(offer)
    try:
        with transaction.atomic():
            return Interest.objects.create(offer=offer, user=user, school=school, note=note.strip())
    except IntegrityError:  # the same form sent twice at once: the first one counted
        raise _already_interested(offer) from None


def _already_interested(offer: Offer) -> InterestError:
    return InterestError(f"You have already told {offer.hub.name} you are interested.")
