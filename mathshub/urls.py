from django.contrib import admin
from django.urls import include, path

from catalogue.views import HomeView
from core import health
from mathshub import views

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("projects/", include("catalogue.urls")),
    path("groups/", include("workgroups.urls")),
    path("me/", include("participants.urls")),
    path("me/", include("privacy.urls")),
    path("lead/", include("lead.urls")),
    path("reports/", include("evaluations.urls")),
    path("surveys/", include("surveys.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
