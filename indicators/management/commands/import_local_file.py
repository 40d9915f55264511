"""Import a partnership's file in the local-data format, synchronously, and print the report."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.importing import ImportRejectedError, ImportReport, import_source
from indicators.jobs import FileFormatError
from indicators.views import local_import_options

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import PATH (CSV or .xlsx: place, indicator, period, value [, lower_ci, upper_ci, "
        "status, note]) with the same checks as an upload. Nothing is written if any row is "
        "rejected; the command then lists the rows and exits with an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dataset-name", required=True, help="Name of the local dataset")
        parser.add_argument("--report", type=Path, help="Also write the full report (JSON) here")

    def handle(self, *args: Any, **options: Any) -> None:
        from indicators.sources.local import LocalFileSource

        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        dataset = local_import_options(options["dataset_name"])
        source = LocalFileSource(
            path.resolve(),
            original_name=path.name,
            dataset_slug=dataset["dataset_slug"],
            dataset_name=dataset["dataset_name"],
        )
        try:
            report = import_source(source)
        except FileFormatError as error:
            raise CommandError(f"{path.name}: {error}") from error
        except ImportRejectedError as rejected:
            self._write_report(rejected.report, options.get("report"))
            raise CommandError(str(rejected)) from rejected
        self._write_report(report, options.get("report"))

    def _write_report(self, report: ImportReport, target: Path | None) -> None:
        out = self.stdout if report.status != "rejected" else self.stderr
        out.write(
            f"{report.dataset}: {report.status}; read {report.rows_read:,}, "
            f"accepted {report.rows_accepted:,}, rejected {report.rows_rejected:,}"
            + (f"; release {report.release_id}" if report.release_id else "")
        )
        if report.message:
            out.write(report.message)
        for reason, count in report.rejection_reasons.items():
            out.write(f"  {count:>6,}  {reason}")
        for row in report.rejected[:SHOWN]:
            out.write(
                f"  line {row['line']}, column {row['column']}, "
                f"value {row['value']!r}: {row['reason']}"
            )
        if len(report.rejected) > SHOWN:
            out.write(f"  … and {len(report.rejected) - SHOWN:,} more rejected rows")
        if target:
            target.write_text(json.dumps(report.as_dict(), indent=1, default=str), "utf-8")
            out.write(f"Full report written to {target}")
