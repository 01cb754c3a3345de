from django.apps import AppConfig


class LeadConfig(AppConfig):
    name = "lead"
    verbose_name = "Work Group Leads' area"

    def ready(self):
        from lead import nav  # noqa: F401  (connects the receivers that keep the menu fresh)
