import json

from django.core.management.base import BaseCommand, CommandError

from places.services import GeographyDataError, small_areas_load
from places.sources import DataFileMissingError


class Command(BaseCommand):
    help = "Create LSOA small-area places (2011 and 2021 editions)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, force=False, **options):
        try:
            report = small_areas_load(force=force)
        except (DataFileMissingError, GeographyDataError) as error:
            raise CommandError(str(error)) from error
        verb = "unchanged, skipped" if report.skipped else "loaded"
        self.stdout.write(f"Small areas {verb}: {json.dumps(report.counts)}")
