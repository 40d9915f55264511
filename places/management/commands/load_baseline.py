import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load every real baseline dataset the app needs; skips what is already loaded."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Reload geography even if unchanged."
        )

    def handle(self, *args, force=False, **options):
        began = time.perf_counter()
        call_command("load_geography", force=force, stdout=self.stdout)
        call_command("load_small_areas", force=force, stdout=self.stdout)
        call_command("import_datasets", stdout=self.stdout)
        call_command("sync_frameworks", stdout=self.stdout)
        call_command("rescore", stdout=self.stdout)
        if settings.SETTINGS_MODULE != "tpi_site.settings.production":
            call_command("seed_demo", stdout=self.stdout)  # demo partnerships, Healthy housing
        self.stdout.write(f"Baseline data ready in {time.perf_counter() - began:.1f}s")
