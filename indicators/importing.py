"""The one import pipeline every dataset goes through.

A *source* (see ``indicators.sources``) knows how to read one publication into tidy rows.
``import_source`` validates those rows chunk by chunk and writes the accepted ones, all
inside one transaction: when the source's policy is to reject the whole file on any bad
row, or anything fails, the transaction rolls back and the database is as it was. A
release whose files (and adapter version) were imported before is recognised by checksum
and changes nothing. A new release becomes current; older releases stay queryable.
"""

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from django.db import connection, transaction

from indicators.models import Dataset, DatasetRelease, Indicator, Observation
from indicators.periods import FINANCIAL_YEAR
from indicators.signals import release_imported
from indicators.validation import OUTPUT_COLUMNS, ChunkValidator, Lookups, PlaceInfo, Rejection
from places.models import ChangeType, CodeChange, Place, PlaceName
from places.sources import checksum
from tpi_site.bulk import bulk_write_frame

logger = logging.getLogger(__name__)

REJECT_FILE = "reject_file"  # any bad row: nothing is written (partnership uploads)
SKIP_ROWS = "skip_rows"  # bad rows are reported and left out (national releases)
MAX_REJECTIONS_KEPT = 100_000
# Bump when validation rules change, so unchanged files are re-validated on the next load.
PIPELINE_VERSION = "1"

ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class DatasetSpec:
    slug: str
    name: str
    publisher: str = ""
    source_url: str = ""
    licence: str = ""
    description: str = ""
    is_local: bool = False
    partnership_id: int | None = None  # the owner of a partnership's local dataset


@dataclass(frozen=True)
class IndicatorSpec:
    slug: str
    source_key: str
    name: str
    unit: str = ""
    measure: str = ""
    description: str = ""
    polarity: str = "neutral"
    source_organisation: str = ""
    source_url: str = ""
    licence: str = ""
    geography_levels: tuple[str, ...] = ()
    period_type: str = ""
    decimal_places: int = 1
    caveats: str = ""
    release_date: date | None = None
    min_value: float | None = None
    max_value: float | None = None


class Source(Protocol):
    """What the pipeline needs from a dataset adapter (read-only, so subclasses may narrow)."""

    @property
    def dataset(self) -> DatasetSpec: ...

    @property
    def release_label(self) -> str: ...

    @property
    def released_on(self) -> date | None: ...

    @property
    def version(self) -> str: ...

    @property
    def policy(self) -> str: ...

    @property
    def blank_value_is_missing(self) -> bool: ...

    def files(self) -> list[Path]: ...

    def indicator_specs(self) -> list[IndicatorSpec]: ...

    def chunks(self) -> Iterator[pd.DataFrame]: ...

    def estimate_rows(self) -> int | None: ...


class ImportRejectedError(Exception):
    """The import wrote nothing; ``report`` says why, row by row."""

    def __init__(self, message: str, report: "ImportReport") -> None:
        super().__init__(message)
        self.report = report


@dataclass
class ImportReport:
    dataset: str
    status: str = "done"
    message: str = ""
    release_id: int | None = None
    release_label: str = ""
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejection_reasons: dict[str, int] = field(default_factory=dict)
    accepted_by_indicator: dict[str, int] = field(default_factory=dict)
    places: int = 0
    first_period: str = ""
    last_period: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _summary_reason(reason: str) -> str:
    """Group reasons in the report ('unknown place code E23000001' → 'unknown place code')."""
    for stem in (
        "unknown place code",
        "unknown place name",
        "geography not held",
        "unknown indicator",
        "duplicate of line",
        "value",
        "period",
        "code ",
    ):
        if reason.startswith(stem):
            if stem == "geography not held":
                return reason
            if stem == "code ":
                return "retired code"
            return stem
    return reason


def build_lookups(source: Source, indicator_ids: dict[str, int]) -> Lookups:
    changes = CodeChange.objects.filter(change_type=ChangeType.NEW_CODE)
    same_area_successor = {c.old_code: c.new_code for c in changes}
    retired_notes: dict[str, str] = {}
    for change in CodeChange.objects.exclude(change_type=ChangeType.NEW_GEOGRAPHY):
        if change.new_code:
            retired_notes[change.old_code] = (
                f" ({change.get_change_type_display().lower()} {change.new_code} "
                f"{change.new_name} in {change.year})"
            )
    places = {
        code: PlaceInfo(
            code=code,
            name=name,
            end_year=end_year,
            successor=same_area_successor.get(code),
            retired_note=retired_notes.get(code, ""),
        )
        for code, name, end_year in Place.objects.values_list("code", "name", "end_year")
    }
    names = dict(PlaceName.objects.values_list("name", "place_id"))
    bounds = {
        pk: (low, high, unit or "this unit")
        for pk, low, high, unit in Indicator.objects.filter(
            pk__in=indicator_ids.values()
        ).values_list("pk", "min_value", "max_value", "unit")
    }
    return Lookups(
        places=places,
        names=names,
        indicators=indicator_ids,
        indicator_bounds=bounds,
        blank_value_is_missing=source.blank_value_is_missing,
        split_year=getattr(source, "split_year", FINANCIAL_YEAR),
        out_of_scope_prefixes=getattr(source, "out_of_scope_prefixes", {}),
    )


def _upsert_catalogue(source: Source) -> tuple[Dataset, dict[str, int]]:
    spec = source.dataset
    dataset, _ = Dataset.objects.update_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "publisher": spec.publisher,
            "source_url": spec.source_url,
            "licence": spec.licence,
            "description": spec.description,
            "is_local": spec.is_local,
            # Set the owner of a new local dataset; never clear an existing owner.
            **({"partnership_id": spec.partnership_id} if spec.partnership_id else {}),
        },
    )
    ids: dict[str, int] = {}
    for item in source.indicator_specs():
        indicator, _ = Indicator.objects.update_or_create(
            slug=item.slug,
            defaults={
                "dataset": dataset,
                "source_key": item.source_key,
                "name": item.name,
                "unit": item.unit,
                "measure": item.measure,
                "description": item.description,
                "polarity": item.polarity,
                "source_organisation": item.source_organisation,
                "source_url": item.source_url,
                "licence": item.licence,
                "geography_levels": list(item.geography_levels),
                "period_type": item.period_type,
                "decimal_places": item.decimal_places,
                "caveats": item.caveats,
                "release_date": item.release_date,
                "min_value": item.min_value,
                "max_value": item.max_value,
            },
        )
        ids[item.source_key] = indicator.pk
    # Local files name catalogue indicators by slug instead of defining their own.
    known = getattr(source, "known_indicators", None)
    if known is not None:
        ids.update(known())
    return dataset, ids


class ObservationWriter:
    """Bulk writes accepted rows: COPY on PostgreSQL, executemany elsewhere.

    On PostgreSQL each release is COPYed into a table of its own, without indexes, and
    ``finish`` attaches it to the partitioned ``indicators_observation`` (see migration
    0002), so index maintenance happens once, in bulk. All inside the import's
    transaction: a rollback leaves no trace.
    """

    table = Observation._meta.db_table

    def __init__(self, release_id: int) -> None:
        self.release_id = release_id
        self.columns = ["release_id", *OUTPUT_COLUMNS]
        self.partitioned = connection.vendor == "postgresql" and _is_partitioned(self.table)
        self.target = f"{self.table}_r{release_id}" if self.partitioned else self.table
        if self.partitioned:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TABLE {self.target} (LIKE {self.table} "
                    "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                cursor.execute(
                    f"ALTER TABLE {self.target} ADD CONSTRAINT {self.target}_release "
                    f"CHECK (release_id = {int(release_id)})"
                )

    def write(self, frame: pd.DataFrame) -> None:
        bulk_write_frame(
            self.target,
            frame.assign(release_id=self.release_id),
            columns=self.columns,
            not_null_text=("status", "note"),
        )

    def finish(self) -> None:
        if self.partitioned:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ALTER TABLE {self.table} ATTACH PARTITION {self.target} "
                    f"FOR VALUES IN ({int(self.release_id)})"
                )


def _is_partitioned(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [table],
        )
        return cursor.fetchone() is not None


def import_source(source: Source, *, progress: ProgressCallback | None = None) -> ImportReport:
    """Validate and write one release of a dataset, atomically; see the module docstring."""
    began = time.perf_counter()
    files = source.files()
    digest = hashlib.sha256(
        f"{checksum(files, include_names=not source.dataset.is_local)}:"
        f"{source.version}:{PIPELINE_VERSION}".encode()
    ).hexdigest()
    report = ImportReport(
        dataset=source.dataset.slug,
        release_label=source.release_label,
        files=[f.name for f in files],
    )
    existing = DatasetRelease.objects.filter(
        dataset__slug=source.dataset.slug, checksum=digest
    ).first()
    if existing is not None:
        report.status = "unchanged"
        report.release_id = existing.pk
        report.message = (
            f"Release '{existing.label}' of {source.dataset.slug} with these exact files was "
            f"already imported on {existing.imported_at:%Y-%m-%d}; nothing changed."
        )
        report.rows_accepted = existing.row_count
        return report

    total = source.estimate_rows()
    rejections: list[Rejection] = []
    reasons: Counter[str] = Counter()
    per_indicator: Counter[int] = Counter()
    places: set[str] = set()
    first: tuple[date, date] | None = None
    last: tuple[date, date] | None = None
    try:
        with transaction.atomic():
            dataset, indicator_ids = _upsert_catalogue(source)
            release = DatasetRelease.objects.create(
                dataset=dataset,
                label=source.release_label,
                released_on=source.released_on,
                checksum=digest,
                files=[str(f.name) for f in files],
                is_current=False,
            )
            report.release_id = release.pk
            validator = ChunkValidator(build_lookups(source, indicator_ids))
            writer = ObservationWriter(release.pk)
            for chunk in source.chunks():
                accepted, rejected = validator.validate(chunk)
                report.rows_read += len(chunk)
                for rejection in rejected:
                    reasons[_summary_reason(rejection.reason)] += 1
                    if len(rejections) < MAX_REJECTIONS_KEPT:
                        rejections.append(rejection)
                report.rows_rejected += len(rejected)
                if not accepted.empty:
                    writer.write(accepted)
                    report.rows_accepted += len(accepted)
                    counts = accepted["indicator_id"].value_counts()
                    for pk, count in zip(counts.index, counts.to_numpy(), strict=True):
                        per_indicator[int(pk)] += int(count)
                    places.update(accepted["place_id"].unique())
                    lo = (accepted["period_start"].min(), accepted["period_end"].min())
                    hi = (accepted["period_start"].max(), accepted["period_end"].max())
                    first = lo if first is None or lo < first else first
                    last = hi if last is None or hi > last else last
                if progress:
                    progress(report.rows_read, total)

            report.rejected = [r.as_dict() for r in rejections]
            report.rejection_reasons = dict(reasons.most_common())
            if source.policy == REJECT_FILE and report.rows_rejected:
                report.status = "rejected"
                report.message = (
                    f"{report.rows_rejected} of {report.rows_read} rows were rejected, so "
                    "nothing was imported. Correct the rows listed and upload the file again."
                )
                raise ImportRejectedError(report.message, report)
            if report.rows_read == 0:
                report.status = "rejected"
                report.message = "The file has a header but no rows; nothing was imported."
                raise ImportRejectedError(report.message, report)
            if report.rows_accepted == 0:
                report.status = "rejected"
                report.message = "No row could be accepted; nothing was imported."
                raise ImportRejectedError(report.message, report)

            writer.finish()
            DatasetRelease.objects.filter(dataset=dataset, is_current=True).update(is_current=False)
            release.is_current = True
            release.row_count = report.rows_accepted
            release.rejected_count = report.rows_rejected
            release.save(update_fields=["is_current", "row_count", "rejected_count"])
    except ImportRejectedError:
        report.release_id = None
        report.seconds = round(time.perf_counter() - began, 3)
        raise

    release_id = report.release_id
    transaction.on_commit(
        lambda: release_imported.send(
            sender=import_source, dataset_slug=source.dataset.slug, release_id=release_id
        )
    )
    slug_by_id = {v: k for k, v in indicator_ids.items()}
    report.accepted_by_indicator = {
        slug_by_id.get(pk, str(pk)): int(n) for pk, n in per_indicator.most_common()
    }
    report.places = len(places)
    if first and last:
        report.first_period = f"{first[0]}/{first[1]}"
        report.last_period = f"{last[0]}/{last[1]}"
    report.seconds = round(time.perf_counter() - began, 3)
    logger.info(
        "Imported %s: %s accepted, %s rejected in %.1fs",
        source.dataset.slug,
        report.rows_accepted,
        report.rows_rejected,
        report.seconds,
    )
    return report


def as_tidy(frame: pd.DataFrame, first_line: int) -> pd.DataFrame:
    """Attach 1-based source line numbers (header = line 1) to a chunk read from a CSV."""
    frame = frame.copy()
    frame.insert(0, "line", np.arange(first_line, first_line + len(frame), dtype=np.int64))
    return frame
