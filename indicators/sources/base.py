"""Shared pieces for dataset adapters (sources): chunked CSV reading, row counting."""

import gzip
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd

from indicators.importing import SKIP_ROWS, DatasetSpec, IndicatorSpec
from indicators.periods import FINANCIAL_YEAR

CHUNK_ROWS = 200_000
OGL = "Open Government Licence v3.0"


def count_lines(path: Path) -> int:
    """Data rows in a (possibly gzipped) CSV, header excluded; cheap enough for progress."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return max(
            0, sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1
        )


def read_csv_chunks(path: Path, **kwargs: object) -> Iterator[tuple[pd.DataFrame, int]]:
    """(chunk, line number of its first row) with every cell as text and nothing coerced."""
    line = 2
    reader = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        chunksize=CHUNK_ROWS,
        encoding="utf-8-sig",
        **kwargs,  # type: ignore[call-overload]
    )
    for chunk in reader:
        yield chunk, line
        line += len(chunk)


class NationalSource:
    """Defaults for a national release: bad rows are reported and left out."""

    dataset: DatasetSpec
    release_label: str = ""
    released_on: date | None = None
    version = "1"
    policy = SKIP_ROWS
    blank_value_is_missing = True
    split_year = FINANCIAL_YEAR
    out_of_scope_prefixes: dict[str, str] = {}

    def indicator_specs(self) -> list[IndicatorSpec]:
        raise NotImplementedError
