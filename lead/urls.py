from django.urls import path

from lead import views
from lead.views.groups import CompletionView

app_name = "lead"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="group"),
    path("groups/<int:pk>/roster.csv", views.RosterCsvView.as_view(), name="roster_csv"),
    path("groups/<int:pk>/email/", views.GroupEmailView.as_view(), name="group_email"),
    path("groups/<int:pk>/sessions/new/", views.SessionCreateView.as_view(), name="session_add"),
    path(
        "groups/<int:pk>/milestones/new/", views.MilestoneCreateView.as_view(), name="milestone_add"
    ),
    path("groups/<int:pk>/evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("groups/<int:pk>/close/", views.CloseYearView.as_view(), name="close_year"),
    path("groups/<int:pk>/completion/", CompletionView.as_view(), name="completion"),
    path("sessions/<int:pk>/edit/", views.SessionUpdateView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.SessionCancelView.as_view(), name="session_cancel"),
    path("sessions/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("sessions/<int:pk>/record/", views.SessionRecordView.as_view(), name="record"),
    path("sessions/<int:pk>/gap-tasks/", views.GapTaskView.as_view(), name="gap_tasks"),
    path("milestones/<int:pk>/", views.MilestoneUpdateView.as_view(), name="milestone_edit"),
]
