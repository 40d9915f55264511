import json

from django.core.management.base import BaseCommand, CommandError

from indicators.importing import ImportRejectedError, import_source
from indicators.sources.registry import national_sources
from places.sources import DataFileMissingError


class Command(BaseCommand):
    help = (
        "Import the real national datasets (all, or the slugs given); unchanged ones are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Dataset slugs (default: all)")
        parser.add_argument("--report", help="Write the full reports (JSON) to this file")

    def handle(self, *args, slugs=(), report=None, **options):
        sources = national_sources()
        known = {s.dataset.slug for s in sources}
        unknown = sorted(set(slugs) - known)
        if unknown:
            raise CommandError(f"Unknown dataset(s) {', '.join(unknown)}; known: {sorted(known)}")
        reports = []
        for source in sources:
            if slugs and source.dataset.slug not in slugs:
                continue
            try:
                result = import_source(source)
            except DataFileMissingError as error:
                raise CommandError(str(error)) from error
            except ImportRejectedError as rejected:
                raise CommandError(f"{source.dataset.slug}: {rejected}") from rejected
            reports.append(result.as_dict())
            self.stdout.write(
                f"{source.dataset.slug:28} {result.status:9} accepted {result.rows_accepted:>8,}"
                f"  rejected {result.rows_rejected:>6,}  {result.seconds:6.1f}s"
                + (f"  {json.dumps(result.rejection_reasons)}" if result.rejection_reasons else "")
            )
        if report:
            with open(report, "w", encoding="utf-8") as handle:
                json.dump(reports, handle, indent=1, default=str)
