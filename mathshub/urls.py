from django.contrib import admin
from django.urls import include, path

from mathshub import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("projects/", include("projects.urls")),
    path("groups/", include("workgroups.urls")),
    path("me/", include("participants.urls")),
    path("lead/", include("workgroups.lead.urls")),
    path("reports/", include("evaluations.urls")),
]
