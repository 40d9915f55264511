from django.core.management.base import BaseCommand, CommandError

from frameworks.definitions import load_definition
from frameworks.services import FrameworkDefinitionError, framework_sync_definition

INDEX_DEFINITIONS = ("tpi_2024", "iod_small_areas")


class Command(BaseCommand):
    help = "Store the index framework definitions shipped in frameworks/definitions/."

    def handle(self, *args, **options):
        for name in INDEX_DEFINITIONS:
            try:
                version, created = framework_sync_definition(load_definition(name), is_index=True)
            except FrameworkDefinitionError as error:
                raise CommandError(f"{name}: {error}") from error
            state = "new version" if created else "unchanged"
            self.stdout.write(f"{version} ({version.nodes.count()} nodes): {state}")
