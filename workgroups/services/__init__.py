"""Every change of state in delivery: views, the admin, tasks and commands call these."""

from workgroups.services.completion import (
    CompletionError,
    mark_completions,
    override_completion,
)
from workgroups.services.delivery import (
    DeliveryError,
    add_milestone,
    cancel_session,
    lock_evidence,
    record_attendance,
    reschedule_session,
    save_session_record,
    schedule_session,
    unlock_evidence,
    update_milestone,
)
from workgroups.services.gap_tasks import GapTaskError, save_gap_task_response
from workgroups.services.lifecycle import LifecycleError, cancel, change_status, next_statuses
from workgroups.services.nominations import claim_nominations, nominate
from workgroups.services.registration import (
    RegistrationError,
    change_capacity,
    check_capacity,
    confirm_place,
    decline_place,
    promote_from_waitlist,
    register,
    withdraw,
)

__all__ = [
    "CompletionError",
    "DeliveryError",
    "GapTaskError",
    "LifecycleError",
    "RegistrationError",
    "add_milestone",
    "cancel",
    "cancel_session",
    "change_capacity",
    "change_status",
    "check_capacity",
    "claim_nominations",
    "confirm_place",
    "decline_place",
    "lock_evidence",
    "mark_completions",
    "next_statuses",
    "nominate",
    "override_completion",
    "promote_from_waitlist",
    "record_attendance",
    "register",
    "reschedule_session",
    "save_gap_task_response",
    "save_session_record",
    "schedule_session",
    "unlock_evidence",
    "update_milestone",
    "withdraw",
]

from workgroups.services.copying import CopyError, CopyOutcome, copy_group, copy_groups

__all__ += ["CopyError", "CopyOutcome", "copy_group", "copy_groups"]
