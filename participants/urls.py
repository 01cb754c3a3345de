from django.urls import path

from participants import views

app_name = "participants"
urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("schools/", views.SchoolSearchView.as_view(), name="school_search"),
]
