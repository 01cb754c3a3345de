from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "People, schools and hubs"

    def ready(self):
        from participants import audit

        audit.connect()
