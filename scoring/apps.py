from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"

    def ready(self) -> None:
        from indicators.signals import release_imported
        from scoring.receivers import recompute_after_import

        release_imported.connect(recompute_after_import, dispatch_uid="scoring-recompute-on-import")
