"""Adapters for files with one row per place and one column per measure (wide tables)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.importing import IndicatorSpec
from indicators.sources.base import NationalSource, count_lines, read_csv_chunks
from places.sources import data_dir, data_file


@dataclass(frozen=True)
class WideFile:
    """One CSV: which column holds the code, which columns become which indicators."""

    relative: str
    code_column: str
    period: str
    measures: Sequence[IndicatorSpec]  # source_key = column name in this file


class WideSource(NationalSource):
    """Melts wide files into tidy rows; each value keeps its source line."""

    wide_files: Sequence[WideFile] = ()

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or data_dir()

    def files(self) -> list[Path]:
        return [data_file(f.relative, base=self.base) for f in self.wide_files]

    def estimate_rows(self) -> int | None:
        return sum(
            count_lines(data_file(f.relative, base=self.base)) * len(f.measures)
            for f in self.wide_files
        )

    def indicator_specs(self) -> list[IndicatorSpec]:
        specs: dict[str, IndicatorSpec] = {}
        for wide in self.wide_files:
            for spec in wide.measures:
                specs.setdefault(spec.source_key, spec)
        return list(specs.values())

    def chunks(self) -> Iterator[pd.DataFrame]:
        for file_index, wide in enumerate(self.wide_files):
            keys = [m.source_key for m in wide.measures]
            path = data_file(wide.relative, base=self.base)
            for chunk, first_line in read_csv_chunks(path, usecols=[wide.code_column, *keys]):
                lines = np.arange(first_line, first_line + len(chunk))
                for key in keys:
                    yield pd.DataFrame(
                        {
                            "line": lines,
                            "place": chunk[wide.code_column].to_numpy(),
                            "indicator": key,
                            "period": wide.period,
                            "value": chunk[key].to_numpy(),
                            "file": str(file_index),
                        }
                    )
