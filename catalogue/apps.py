from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Teachers' catalogue"

    def ready(self):
        # Connects the receivers that keep the cached pages fresh (also reached through the
        # services; imported here so every process has them whatever it imports).
        from workgroups import cache  # noqa: F401
