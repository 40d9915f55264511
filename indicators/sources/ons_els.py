"""ONS Explore Local Statistics: 89 indicators, ~280k observations, with metadata."""

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.text import slugify

from indicators.importing import DatasetSpec, IndicatorSpec
from indicators.sources.base import OGL, NationalSource, count_lines, read_csv_chunks
from places.sources import data_dir, data_file

FOLDER = "ons-els-indicators"
OBSERVATIONS = f"{FOLDER}/observations.csv.gz"
CATALOGUE = f"{FOLDER}/indicators.csv"

HIGHER_IS_BETTER = {
    "Employment rate",
    "Employment rate (Northern Ireland)",
    "Gross median weekly pay",
    "Gross disposable household income",
    "Gross value added per hour worked",
    "Gross value added per filled job",
    "Male healthy life expectancy",
    "Female healthy life expectancy",
    "GCSEs in English and Maths",
    "Pupils meeting the expected standard in reading, writing and maths",
    "Communication and language",
    "Literacy",
    "Mathematics",
    "Level 3 or above qualifications (Great Britain)",
    "Level 3 or above qualifications (Northern Ireland)",
    "Satisfaction",
    "Worthwhile",
    "Happiness",
    "Gigabit capable broadband",
    "4G coverage",
    "5G coverage",
    "Engaged with the arts",
    "Visited a heritage site",
    "Visited a museum or gallery",
    "Visited a public library",
    "Residents within a 30 minute walk of their nearest library",
    "Residents within a 30 minute walk of their nearest railway station",
    "One-year survival rate",
    "Two-year survival rate",
    "Three-year survival rate",
    "Four-year survival rate",
    "Five-year survival rate",
    "High growth businesses",
    "Business births",
    "Apprenticeship starts (England)",
    "Apprenticeship achievements (England)",
    "Further education and skills participation",
    "Further education and skills learner achievements",
    "Cancer diagnosis at stage 1 and 2",
    "Public electric vehicle chargers",
    "Business expenditure on research and development",
    "Public-funded expenditure on research and development",
    "Value of UK exports",
    "Inward foreign direct investment",
    "Air pollution regulating",
    "Greenhouse gas regulating",
    "Urban heat regulating",
    "Sports facilities",
    "museums",
    "Net additions to the housing stock (England)",
}
LOWER_IS_BETTER = {
    "Economically inactive",
    "Economically inactive (Northern Ireland)",
    "Modelled unemployment rate",
    "Claimant Count",
    "Children in relative poverty before housing costs",
    "Children in relative poverty after housing costs",
    "Cigarette smokers",
    "Adult obesity prevalence",
    "Preventable cardiovascular mortality (England)",
    "Preventable circulatory mortality (Northern Ireland)",
    "Persistent absences for all pupils",
    "Persistent absences for pupils eligible for free school meals",
    "Persistent absences for pupils looked after by local authorities",
    "No qualifications",
    "Greenhouse gas emissions",
    "Gas consumption",
    "Electricity consumption",
    "Housing affordability ratio (residence-based)",
    "Premises below 30Mbps",
    "Homicide Offences",
    "Anxiety",
    "Drive to work",
    "Cycle to work",
    "Public transport or walk to work",
    "Business deaths",
    "Mortality rate from coronary heart disease (Scotland)",
}
# The published catalogue calls the affordability ratio a percentage; it is a ratio.
UNIT_FIXES = {
    "Housing affordability ratio (residence-based)": (
        "ratio",
        "Ratio of median house price to median earnings",
    )
}
NOT_HELD = {
    "ITL Level 1": "geography not held: ITL Level 1 regions",
    "ITL Level 2": "geography not held: ITL Level 2 regions",
    "ITL Level 3": "geography not held: ITL Level 3 regions",
    "Police Force Area": "geography not held: police force areas",
}


def _bounds(unit: str, measure: str) -> tuple[float | None, float | None]:
    text = f"{unit} {measure}".lower()
    if unit == "%" or measure == "Percentage":
        return 0.0, 100.0
    if "score out of 10" in text:
        return 0.0, 10.0
    if "rate per" in text or "count" in text or "consumption" in text or unit in {"yrs", "mins"}:
        return 0.0, None
    return None, None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


class OnsElsSource(NationalSource):
    dataset = DatasetSpec(
        slug="ons-els",
        name="ONS Explore Local Statistics",
        publisher="Office for National Statistics and other government departments",
        source_url="https://www.ons.gov.uk/explore-local-statistics/",
        licence=OGL,
        description="Local indicators compiled by ONS for Explore Local Statistics.",
    )
    release_label = "ELS data snapshot 2026-06-26 (commit 4972c58)"
    released_on = date(2026, 6, 26)
    version = "els-1"

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or data_dir()

    def files(self) -> list[Path]:
        metadata = sorted((self.base / FOLDER / "metadata").glob("*.json"))
        return [
            data_file(OBSERVATIONS, base=self.base),
            data_file(CATALOGUE, base=self.base),
            *metadata,
        ]

    def estimate_rows(self) -> int | None:
        return count_lines(data_file(OBSERVATIONS, base=self.base))

    def _metadata(self, dataset: str) -> dict[str, Any]:
        path = self.base / FOLDER / "metadata" / f"{dataset}.json"
        if not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8")).get("ess-beta-metadata", {})

    def indicator_specs(self) -> list[IndicatorSpec]:
        catalogue = pd.read_csv(
            data_file(CATALOGUE, base=self.base), dtype=str, keep_default_na=False
        )
        specs = []
        for record in catalogue.to_dict("records"):
            row = {str(k): str(v) for k, v in record.items()}
            meta = self._metadata(row["dataset"])
            shared = meta.get("shared", {})
            own = meta.get(row["indicator"], {})
            unit, measure = UNIT_FIXES.get(row["indicator"], (row["unit"], row["measure"]))
            low, high = _bounds(unit, measure)
            polarity = (
                "higher_better"
                if row["indicator"] in HIGHER_IS_BETTER
                else "lower_better"
                if row["indicator"] in LOWER_IS_BETTER
                else "neutral"
            )
            levels = [
                level
                for level, count in (
                    ("lower_tier", row["n_lad_rows"]),
                    ("upper_tier", row["n_county_rows"]),
                )
                if count not in {"", "0"}
            ]
            dataset_slug, name = row["dataset"], row["indicator"]
            single = (catalogue["dataset"] == dataset_slug).sum() == 1
            slug = dataset_slug if single else f"{dataset_slug}--{slugify(name)}"
            specs.append(
                IndicatorSpec(
                    slug=slug[:160],
                    source_key=f"{row['dataset']}::{row['indicator']}",
                    name=own.get("label") or row["indicator"],
                    unit=unit,
                    measure=measure,
                    description="\n\n".join(
                        filter(None, [own.get("subtitle"), own.get("longDescription")])
                    ),
                    polarity=polarity,
                    source_organisation=shared.get("sourceOrg") or "",
                    source_url=shared.get("sourceURL") or "",
                    licence=OGL,
                    geography_levels=tuple(levels),
                    period_type="",
                    decimal_places=int(shared.get("decimalPlaces") or 1),
                    caveats=own.get("caveats") or shared.get("caveats") or "",
                    release_date=_date(shared.get("sourceDate")),
                    min_value=low,
                    max_value=high,
                )
            )
        return specs

    def chunks(self) -> Iterator[pd.DataFrame]:
        for chunk, first_line in read_csv_chunks(data_file(OBSERVATIONS, base=self.base)):
            yield pd.DataFrame(
                {
                    "line": range(first_line, first_line + len(chunk)),
                    "place": chunk["areacd"].to_numpy(),
                    "indicator": (chunk["dataset"] + "::" + chunk["indicator"]).to_numpy(),
                    "period": chunk["period"].to_numpy(),
                    "value": chunk["observation"].to_numpy(),
                    "lower_ci": chunk["lci_95"].to_numpy(),
                    "upper_ci": chunk["uci_95"].to_numpy(),
                    "status": chunk["status"].to_numpy(),
                    "note": chunk["notes"].to_numpy(),
                    "scope": chunk["geography"].map(NOT_HELD).fillna("").to_numpy(),
                }
            )
