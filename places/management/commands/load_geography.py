import json

from django.core.management.base import BaseCommand, CommandError

from places.services import GeographyDataError, geography_load
from places.sources import DataFileMissingError


class Command(BaseCommand):
    help = "Load ONS geography (places, hierarchy, code changes, similar areas, boundaries)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload even if unchanged.")

    def handle(self, *args, force: bool = False, **options):
        try:
            report = geography_load(force=force)
        except (DataFileMissingError, GeographyDataError) as error:
            raise CommandError(str(error)) from error
        verb = "unchanged, skipped" if report.skipped else "loaded"
        self.stdout.write(f"Geography {verb}: {json.dumps(report.counts)}")
