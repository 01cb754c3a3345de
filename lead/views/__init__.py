"""The Work Group Lead's area: their groups, each session's business and the year's evaluation."""

from lead.views.evaluation import EvaluationView
from lead.views.groups import (
    CloseYearView,
    DashboardView,
    GroupDetailView,
    GroupEmailView,
    MilestoneCreateView,
    MilestoneUpdateView,
    RosterCsvView,
)
from lead.views.sessions import (
    AttendanceView,
    GapTaskView,
    SessionCancelView,
    SessionCreateView,
    SessionRecordView,
    SessionUpdateView,
)

__all__ = [
    "AttendanceView",
    "CloseYearView",
    "DashboardView",
    "EvaluationView",
    "GapTaskView",
    "GroupDetailView",
    "GroupEmailView",
    "MilestoneCreateView",
    "MilestoneUpdateView",
    "RosterCsvView",
    "SessionCancelView",
    "SessionCreateView",
    "SessionRecordView",
    "SessionUpdateView",
]
