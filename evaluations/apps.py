from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluations and national reports"

    def ready(self):
        # Registers the report tasks, which the services queue by name.
        from evaluations import tasks  # noqa: F401
