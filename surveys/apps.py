from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Participants' surveys"

    def ready(self):
        from auditlog.registry import auditlog

        from surveys import models, tasks  # noqa: F401  (registers the beat task)

        # The definitions are national decisions worth a history; answers are not audited
        # (the trail would otherwise show individual answers to whoever reads it).
        auditlog.register(models.Survey)
        auditlog.register(models.Statement)
        auditlog.register(models.FreeTextQuestion)
