"""Every change of state in delivery: views, the admin, tasks and commands call these."""

from workgroups.services.registration import (
    RegistrationError,
    confirm_place,
    decline_place,
    promote_from_waitlist,
    queue_waitlist_promotion,
    register,
    withdraw,
)

__all__ = [
    "RegistrationError",
    "confirm_place",
    "decline_place",
    "promote_from_waitlist",
    "queue_waitlist_promotion",
    "register",
    "withdraw",
]
