from django.urls import path

from workgroups import views

app_name = "workgroups"
urlpatterns = [
    path("<int:pk>/", views.WorkGroupDetailView.as_view(), name="detail"),
]
