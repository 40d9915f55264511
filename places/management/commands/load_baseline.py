from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load every real baseline dataset the app needs; skips what is already loaded."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload even if unchanged.")

    def handle(self, *args, force: bool = False, **options):
        call_command("load_geography", force=force, stdout=self.stdout)
