from django.urls import path

from catalogue import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("<slug:slug>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<slug:slug>/interest/", views.RegisterInterestView.as_view(), name="interest"),
]
