from django.urls import path

from workgroups import views

app_name = "workgroups"
urlpatterns = [
    path("mine/", views.MyRegistrationsView.as_view(), name="my_registrations"),
    path("registrations/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path(
        "registrations/<int:pk>/certificate.pdf",
        views.CertificateView.as_view(),
        name="certificate",
    ),
    path(
        "invitations/<int:pk>/accept/",
        views.AnswerInvitationView.as_view(answer="accept"),
        name="accept_invitation",
    ),
    path(
        "invitations/<int:pk>/decline/",
        views.AnswerInvitationView.as_view(answer="decline"),
        name="decline_invitation",
    ),
    path(
        "invitations/<int:pk>/cancel/",
        views.CancelInvitationView.as_view(),
        name="cancel_invitation",
    ),
    path("places/<int:pk>/", views.PlaceDetailView.as_view(), name="place"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session"),
    path("calendar/reset/", views.ResetCalendarTokenView.as_view(), name="calendar_reset"),
    path(
        "calendar/<str:token>/sessions.ics",
        views.CalendarFeedView.as_view(),
        name="calendar_feed",
    ),
    path("<int:pk>/", views.WorkGroupDetailView.as_view(), name="detail"),
    path("<int:pk>/register/", views.RegisterView.as_view(), name="register"),
    path("<int:pk>/nominate/", views.NominateView.as_view(), name="nominate"),
    path("<int:pk>/sessions.ics", views.GroupCalendarView.as_view(), name="group_calendar"),
]
