"""Emails about places and registrations, rendered from templates and sent through Celery."""

from django.urls import reverse

from core.email import absolute_url, send_templated
from workgroups.models import (
    Nomination,
    Place,
    PlaceStatus,
    Registration,
    WorkGroup,
    waitlist_position,
)


def _send(template: str, to: list[str], context: dict) -> None:
    if not to:
        return
    group: WorkGroup | None = context.get("group")
    if group is not None:
        context = {
            "group_url": absolute_url(group.get_absolute_url()),
            "mine_url": absolute_url(reverse("workgroups:my_registrations")),
            **context,
        }
    send_templated(template, to, context)


_UNKNOWN = object()


def registered(registration: Registration, *, position=_UNKNOWN) -> None:
    """``position``: the place's position on the waiting list when the caller has just counted
    it (``waitlist_position``), else it is counted here."""
    place = registration.place
    template = {
        PlaceStatus.CONFIRMED: "registration_confirmed",
        PlaceStatus.WAITLISTED: "registration_waitlisted",
        PlaceStatus.PENDING: "registration_pending",
    }.get(place.status, "registration_confirmed")
    if position is _UNKNOWN:
        position = waitlist_position(place)
    _send(
        template,
        [registration.user.email],
        {"registration": registration, "group": place.work_group, "position": position},
    )


def withdrawn(registration: Registration) -> None:
    _send(
        "registration_withdrawn",
        [registration.user.email],
        {"registration": registration, "group": registration.place.work_group},
    )


def _place_emails(place: Place) -> list[str]:
    return list(place.registrations.active().values_list("user__email", flat=True))


def place_confirmed(place: Place) -> None:
    _send("place_confirmed", _place_emails(place), {"place": place, "group": place.work_group})


def place_declined(place: Place) -> None:
    emails = list(place.registrations.values_list("user__email", flat=True).distinct())
    _send("place_declined", emails, {"place": place, "group": place.work_group})


def nominated(nomination: Nomination) -> None:
    """Invite a named colleague: to accept on their registrations page, or, without an account
    yet, to sign up first and then accept there."""
    _send(
        "nomination_invited" if nomination.user_id is None else "nomination_invited_member",
        [nomination.email],
        {
            "nomination": nomination,
            "group": nomination.place.work_group,
            "signup_url": absolute_url(reverse("account_signup")),
        },
    )


def nomination_cancelled(nomination: Nomination, *, by) -> None:
    """One short note, as the named person was emailed the invitation: it is off, nothing to do.
    Someone acting for the hub is named as the hub."""
    place = nomination.place
    if by.pk == nomination.invited_by_id or by.school_id == place.school_id:
        cancelled_by = by.get_full_name() or by.email
    else:
        cancelled_by = str(place.work_group.hub)
    _send(
        "nomination_cancelled",
        [nomination.email],
        {"nomination": nomination, "group": place.work_group, "cancelled_by": cancelled_by},
    )
