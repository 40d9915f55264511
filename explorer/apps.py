from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "explorer"
    verbose_name = "Explorer: map and rankings"

    def ready(self) -> None:
        from explorer.public_cache import connect_invalidation

        connect_invalidation()
