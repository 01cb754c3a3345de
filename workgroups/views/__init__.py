"""A teacher's side of delivery: group pages, registering, their registrations and calendar."""

from workgroups.views.calendar import CalendarFeedView, GroupCalendarView, ResetCalendarTokenView
from workgroups.views.groups import (
    NominateView,
    PlaceDetailView,
    RegisterView,
    WorkGroupDetailView,
)
from workgroups.views.mine import (
    AnswerInvitationView,
    CancelInvitationView,
    CertificateView,
    MyRegistrationsView,
    SessionDetailView,
    WithdrawView,
)

__all__ = [
    "AnswerInvitationView",
    "CalendarFeedView",
    "CancelInvitationView",
    "CertificateView",
    "GroupCalendarView",
    "MyRegistrationsView",
    "NominateView",
    "PlaceDetailView",
    "RegisterView",
    "ResetCalendarTokenView",
    "SessionDetailView",
    "WithdrawView",
    "WorkGroupDetailView",
]
