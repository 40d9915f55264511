"""Sub-regional fuel poverty 2010-2019 (BEIS/DESNZ), English districts on 2019-era codes."""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.importing import DatasetSpec, IndicatorSpec
from indicators.sources.base import OGL, NationalSource, count_lines, read_csv_chunks
from places.sources import data_dir, data_file

FILE = "fuel-poverty-2010-2019/fuelpoverty_la_2010_2019.csv"
LIHC_YEARS = [str(year) for year in range(2010, 2019)]
LILEE_YEARS = ["2019"]
DESNZ_URL = "https://www.gov.uk/government/collections/fuel-poverty-sub-regional-statistics"


class FuelPovertySource(NationalSource):
    dataset = DatasetSpec(
        slug="fuel-poverty-2010-2019",
        name="Sub-regional fuel poverty, England 2010-2019",
        publisher="BEIS / DESNZ (compiled by C. Robinson, decade-of-fuel-poverty)",
        source_url=DESNZ_URL,
        licence=OGL,
        description="Percentage of households in fuel poverty by district.",
    )
    release_label = "decade-of-fuel-poverty research compilation"
    released_on = None
    version = "fuel-1"

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or data_dir()

    def files(self) -> list[Path]:
        return [data_file(FILE, base=self.base)]

    def estimate_rows(self) -> int | None:
        return count_lines(data_file(FILE, base=self.base)) * 10

    def indicator_specs(self) -> list[IndicatorSpec]:
        lihc = IndicatorSpec(
            slug="fuel-poverty-lihc",
            source_key="lihc",
            name="Households in fuel poverty (Low Income High Costs)",
            caveats="LIHC definition, 2010-2018. 2019 uses LILEE: a break in series.",
            unit="%",
            measure="Percentage of households",
            polarity="lower_better",
            source_organisation="BEIS / DESNZ",
            source_url=DESNZ_URL,
            licence=OGL,
            geography_levels=("lower_tier",),
            period_type="calendar_year",
            decimal_places=1,
            min_value=0.0,
            max_value=100.0,
        )
        lilee = replace(
            lihc,
            slug="fuel-poverty-lilee",
            source_key="lilee",
            name="Households in fuel poverty (Low Income Low Energy Efficiency)",
            caveats="LILEE definition from 2019; not comparable with the LIHC series.",
        )
        return [lihc, lilee]

    def chunks(self) -> Iterator[pd.DataFrame]:
        for chunk, first in read_csv_chunks(data_file(FILE, base=self.base)):
            lines = np.arange(first, first + len(chunk))
            for years, key in ((LIHC_YEARS, "lihc"), (LILEE_YEARS, "lilee")):
                for year in years:
                    yield pd.DataFrame(
                        {
                            "line": lines,
                            "place": chunk["LACode"].to_numpy(),
                            "indicator": key,
                            "period": year,
                            "value": chunk[year].to_numpy(),
                        }
                    )
