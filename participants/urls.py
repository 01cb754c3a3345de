from django.urls import path

from participants import views

app_name = "participants"
urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("schools/", views.SchoolSearchView.as_view(), name="school_search"),
    path("school/leaders/", views.SchoolLeadersView.as_view(), name="school_leaders"),
    path(
        "school/leaders/<int:pk>/confirm/",
        views.DecideLeaderClaimView.as_view(decision="confirm"),
        name="confirm_leader",
    ),
    path(
        "school/leaders/<int:pk>/reject/",
        views.DecideLeaderClaimView.as_view(decision="reject"),
        name="reject_leader",
    ),
]
