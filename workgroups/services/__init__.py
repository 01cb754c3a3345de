"""Every change of state in delivery: views, the admin, tasks and commands call these."""

from workgroups.services.delivery import (
    DeliveryError,
    add_milestone,
    cancel_session,
    mark_completions,
    record_attendance,
    reschedule_session,
    save_session_record,
    schedule_session,
    update_milestone,
)
from workgroups.services.gap_tasks import GapTaskError, save_gap_task_response
from workgroups.services.nominations import claim_nominations, nominate
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
    "DeliveryError",
    "GapTaskError",
    "RegistrationError",
    "add_milestone",
    "cancel_session",
    "claim_nominations",
    "confirm_place",
    "decline_place",
    "mark_completions",
    "nominate",
    "promote_from_waitlist",
    "queue_waitlist_promotion",
    "record_attendance",
    "register",
    "reschedule_session",
    "save_gap_task_response",
    "save_session_record",
    "schedule_session",
    "update_milestone",
    "withdraw",
]
