"""ONS UK SDG extracts: PM2.5-attributable mortality (3.9.1) and LA-collected waste (11.6.1)."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.text import slugify

from indicators.importing import DatasetSpec, IndicatorSpec
from indicators.sources.base import OGL, NationalSource, count_lines, read_csv_chunks
from places.sources import data_dir, data_file

PM25 = "ons-sdg-extracts/indicator_3-9-1_pm25_mortality.csv"
WASTE = "ons-sdg-extracts/indicator_11-6-1_waste_by_authority.csv"
PM25_SERIES = {
    "Fraction of mortality attributable to particulate air pollution (old method)": (
        "pm25-attributable-mortality-old-method",
        "Mortality attributable to particulate air pollution (PM2.5), old method",
    ),
    "Fraction of mortality attributable to particulate air pollution (new method)": (
        "pm25-attributable-mortality-new-method",
        "Mortality attributable to particulate air pollution (PM2.5), new method",
    ),
}
ENGLAND = "E92000001"
WASTE_ROUTES = {
    "Landfill": "lower_better",
    "Incineration with EfW": "neutral",
    "Incineration without EfW": "lower_better",
    "Recycled-composted": "higher_better",
    "Other": "neutral",
}


class _SdgSource(NationalSource):
    relative = ""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or data_dir()

    def files(self) -> list[Path]:
        return [data_file(self.relative, base=self.base)]

    def estimate_rows(self) -> int | None:
        return count_lines(data_file(self.relative, base=self.base))


class Pm25MortalitySource(_SdgSource):
    relative = PM25
    dataset = DatasetSpec(
        slug="sdg-3-9-1-pm25",
        name="Mortality attributable to particulate air pollution (SDG 3.9.1)",
        publisher="Office for Health Improvement and Disparities (via ONS SDG data)",
        source_url="https://sdgdata.gov.uk/3-9-1/",
        licence=OGL,
        description="Fraction of adult mortality attributable to PM2.5, by English council.",
    )
    release_label = "ONS sdg-data snapshot 2025-09-24"
    released_on = date(2025, 9, 24)
    version = "pm25-1"

    def indicator_specs(self) -> list[IndicatorSpec]:
        caveat = (
            "The old method covers 2010-2019 and the new method 2018-2021: the two series "
            "are not comparable and must not be joined into one trend."
        )
        return [
            IndicatorSpec(
                slug=slug,
                source_key=series,
                name=name,
                unit="%",
                measure="Percentage of deaths (adults aged 30+)",
                polarity="lower_better",
                source_organisation="OHID / UKHSA",
                source_url="https://fingertips.phe.org.uk/",
                licence=OGL,
                geography_levels=("lower_tier", "upper_tier"),
                period_type="calendar_year",
                decimal_places=1,
                caveats=caveat,
                min_value=0,
                max_value=100,
            )
            for series, (slug, name) in PM25_SERIES.items()
        ]

    def chunks(self) -> Iterator[pd.DataFrame]:
        for chunk, first in read_csv_chunks(data_file(self.relative, base=self.base)):
            decile = chunk["Deprivation decile"]
            yield pd.DataFrame(
                {
                    "line": np.arange(first, first + len(chunk)),
                    "place": chunk["GeoCode"].to_numpy(),
                    "indicator": chunk["Series"].to_numpy(),
                    "period": chunk["Year"].to_numpy(),
                    "value": chunk["Value"].to_numpy(),
                    "status": chunk["Observation status"].to_numpy(),
                    "scope": np.where(decile != "", "breakdown by deprivation decile not held", ""),
                }
            )


class WasteSource(_SdgSource):
    relative = WASTE
    dataset = DatasetSpec(
        slug="sdg-11-6-1-waste",
        name="Local authority collected waste by management route (SDG 11.6.1)",
        publisher="Defra (via ONS SDG data)",
        source_url="https://sdgdata.gov.uk/11-6-1/",
        licence=OGL,
        description=(
            "Share of all LA-collected waste by route; authorities identified by name only. "
            "This is not the household recycling rate."
        ),
    )
    release_label = "ONS sdg-data snapshot 2025-09-24"
    released_on = date(2025, 9, 24)
    version = "waste-2"

    def indicator_specs(self) -> list[IndicatorSpec]:
        return [
            IndicatorSpec(
                slug=f"waste-share-{slugify(route)}",
                source_key=route,
                name=f"Share of LA-collected waste: {route.lower()}",
                unit="%",
                measure="Percentage of collected waste",
                polarity=polarity,
                source_organisation="Defra",
                source_url="https://www.gov.uk/government/statistical-data-sets/env18-local-authority-collected-waste-annual-results-tables",
                licence=OGL,
                geography_levels=("lower_tier", "upper_tier", "region"),
                period_type="financial_year",
                decimal_places=1,
                caveats=(
                    "Waste collection and disposal authorities are matched to councils by "
                    "name; joint authorities that are not councils are left out."
                ),
                min_value=0,
                max_value=100,
            )
            for route, polarity in WASTE_ROUTES.items()
        ]

    def chunks(self) -> Iterator[pd.DataFrame]:
        for chunk, first in read_csv_chunks(data_file(self.relative, base=self.base)):
            authority = chunk["Waste collection authority"]
            yield pd.DataFrame(
                {
                    "line": np.arange(first, first + len(chunk)),
                    # Authority rows carry the region's code in GeoCode: use the name.
                    # Rows with neither are the England totals.
                    "place": np.where(
                        authority != "",
                        authority,
                        np.where(chunk["GeoCode"] != "", chunk["GeoCode"], ENGLAND),
                    ),
                    "indicator": chunk["Disposal method"].to_numpy(),
                    "period": chunk["Year"].to_numpy(),
                    "value": chunk["Value"].to_numpy(),
                    "status": chunk["Observation status"].to_numpy(),
                }
            )
