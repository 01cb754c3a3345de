from django.contrib.admin.apps import AdminConfig


class MathsHubAdminConfig(AdminConfig):
    default_site = "core.admin.MathsHubAdminSite"
