from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "People, schools and hubs"

    def ready(self):
        from participants import audit, identity  # noqa: F401  (identity: its receivers)

        audit.connect()
