from django.apps import AppConfig


class LeadConfig(AppConfig):
    name = "lead"
    verbose_name = "Work Group Leads' area"
