from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared core"

    def ready(self):
        from core import audit, audit_admin

        audit.connect()
        audit_admin.register()
