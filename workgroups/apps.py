from django.apps import AppConfig


class WorkgroupsConfig(AppConfig):
    name = "workgroups"
    verbose_name = "Work Groups and delivery"

    def ready(self):
        from workgroups import signals  # noqa: F401  (connects the sign-up receivers)
