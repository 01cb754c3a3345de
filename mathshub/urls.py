from django.contrib import admin
from django.urls import include, path

from mathshub import views

admin.site.site_header = "Maths Hubs CPD administration"
admin.site.site_title = "Maths Hubs CPD"
admin.site.index_title = "Run your hub"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("projects/", include("projects.urls")),
    path("groups/", include("workgroups.urls")),
]
