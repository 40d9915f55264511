"""English Indices of Deprivation 2019 and 2025, Welsh IMD 2019: councils and small areas.

Each edition is one dataset whose release holds its council summaries and its LSOA
scores. The period recorded is the year most of an edition's data describe (IoD 2019:
2015/16; IoD 2025: 2021/22; WIMD 2019: 2017/18), not its publication year, so that a
score for a year uses the deprivation of that time. The edition stays in every name.
"""

from datetime import date
from functools import partial

from indicators.importing import DatasetSpec, IndicatorSpec
from indicators.sources.base import OGL
from indicators.sources.wide import WideFile, WideSource

MHCLG = "Ministry of Housing, Communities and Local Government"
IOD_URL = "https://www.gov.uk/government/collections/english-indices-of-deprivation"
WIMD_URL = "https://www.gov.wales/welsh-index-multiple-deprivation"

LOWER = "lower_better"
HIGHER = "higher_better"


def _spec(
    slug: str,
    column: str,
    name: str,
    *,
    unit: str,
    polarity: str,
    low: float | None = None,
    high: float | None = None,
    org: str = MHCLG,
    url: str = IOD_URL,
    levels: tuple[str, ...] = ("lower_tier",),
    description: str = "",
    caveats: str = "",
    released: date | None = None,
) -> IndicatorSpec:
    return IndicatorSpec(
        slug=slug,
        source_key=column,
        name=name,
        unit=unit,
        measure=unit,
        description=description,
        polarity=polarity,
        source_organisation=org,
        source_url=url,
        licence=OGL,
        geography_levels=levels,
        period_type="edition",
        decimal_places=3 if unit in {"proportion", "rate"} else 1,
        caveats=caveats,
        release_date=released,
        min_value=low,
        max_value=high,
    )


LA_CAVEAT_2019 = (
    "Council figures for 2019 are population-weighted averages of LSOA scores computed by "
    "the IMD R package on 2023 council boundaries, not MHCLG's File 10 tables."
)
DOMAINS_2019 = [
    ("Income", "income", "rate"),
    ("Employment", "employment", "rate"),
    ("Education", "education-skills-training", "score"),
    ("Health", "health-deprivation-disability", "score"),
    ("Crime", "crime", "score"),
    ("Housing_and_Access", "barriers-housing-services", "score"),
    ("Environment", "living-environment", "score"),
]
RELEASE_2019 = date(2019, 9, 26)
RELEASE_2025 = date(2025, 10, 30)


def _la_2019() -> list[IndicatorSpec]:
    specs = [
        _spec(
            "iod2019-imd-average-score",
            "Score",
            "IMD 2019 average score",
            unit="score",
            polarity=LOWER,
            low=0,
            caveats=LA_CAVEAT_2019,
            released=RELEASE_2019,
        ),
        _spec(
            "iod2019-imd-proportion-most-deprived-10pc",
            "Proportion",
            "IMD 2019 share of LSOAs in the most deprived 10% nationally",
            unit="proportion",
            polarity=LOWER,
            low=0,
            high=1,
            caveats=LA_CAVEAT_2019,
            released=RELEASE_2019,
        ),
        _spec(
            "iod2019-imd-extent",
            "Extent",
            "IMD 2019 extent",
            unit="proportion",
            polarity=LOWER,
            low=0,
            high=1,
            caveats=LA_CAVEAT_2019,
            released=RELEASE_2019,
        ),
    ]
    for column, slug, unit in DOMAINS_2019:
        label = column.replace("_", " ")
        specs.append(
            _spec(
                f"iod2019-{slug}-average-score",
                f"{column}_Score",
                f"IoD 2019 {label} domain average score",
                unit=unit,
                polarity=LOWER,
                low=0 if unit == "rate" else None,
                high=1 if unit == "rate" else None,
                caveats=LA_CAVEAT_2019,
                released=RELEASE_2019,
            )
        )
        specs.append(
            _spec(
                f"iod2019-{slug}-proportion-most-deprived-10pc",
                f"{column}_Proportion",
                f"IoD 2019 {label} domain: share of LSOAs in the most deprived 10%",
                unit="proportion",
                polarity=LOWER,
                low=0,
                high=1,
                caveats=LA_CAVEAT_2019,
                released=RELEASE_2019,
            )
        )
    return specs


def _lsoa_2019() -> list[IndicatorSpec]:
    specs = []
    for column, slug, _ in [("IMD", "imd", ""), *DOMAINS_2019]:
        label = "IMD" if column == "IMD" else f"{column.replace('_', ' ')} domain"
        specs.append(
            _spec(
                f"iod2019-lsoa-{slug}-decile",
                f"{column}_decile",
                f"IoD 2019 {label} decile (1 = most deprived 10%)",
                unit="decile",
                polarity=HIGHER,
                low=1,
                high=10,
                levels=("small_area",),
                released=RELEASE_2019,
            )
        )
        specs.append(
            _spec(
                f"iod2019-lsoa-{slug}-rank",
                f"{column}_rank",
                f"IoD 2019 {label} rank (1 = most deprived of 32,844)",
                unit="rank",
                polarity=HIGHER,
                low=1,
                high=32844,
                levels=("small_area",),
                released=RELEASE_2019,
            )
        )
    return specs


class Iod2019Source(WideSource):
    dataset = DatasetSpec(
        slug="iod2019",
        name="English Indices of Deprivation 2019",
        publisher=MHCLG,
        source_url=IOD_URL,
        licence=OGL,
        description="IoD 2019: council averages (2023 boundaries) and LSOA 2011 deciles and ranks.",
    )
    release_label = "IoD 2019 via the IMD R package (snapshot 2025-11-20)"
    released_on = RELEASE_2019
    version = "iod2019-2"
    wide_files = (
        WideFile(
            "iod-deprivation/imd2019_england_ltla23.csv", "ltla23_code", "2015/16", _la_2019()
        ),
        WideFile(
            "iod-deprivation/imd2019_england_lsoa11.csv", "lsoa11_code", "2015/16", _lsoa_2019()
        ),
    )


DOMAINS_2025 = [
    ("income", "income", "rate"),
    ("employment", "employment", "rate"),
    ("education_skills_and_training", "education-skills-training", "score"),
    ("health_deprivation_and_disability", "health-deprivation-disability", "score"),
    ("crime", "crime", "score"),
    ("barriers_to_housing_and_services", "barriers-housing-services", "score"),
    ("living_environment", "living-environment", "score"),
]
LSOA_DOMAINS_2025 = [
    ("IMD", "imd"),
    ("Income", "income"),
    ("Employment", "employment"),
    ("Education", "education-skills-training"),
    ("Health", "health-deprivation-disability"),
    ("Crime", "crime"),
    ("Housing_and_Services", "barriers-housing-services"),
    ("Environment", "living-environment"),
]
PROPORTION_10 = "_proportion_of_lso_as_in_most_deprived_10_percent_nationally"


def _la_2025() -> list[IndicatorSpec]:
    specs = [
        _spec(
            "iod2025-imd-average-score",
            "imd_average_score",
            "IMD 2025 average score",
            unit="score",
            polarity=LOWER,
            low=0,
            released=RELEASE_2025,
        ),
        _spec(
            "iod2025-imd-proportion-most-deprived-10pc",
            f"imd{PROPORTION_10}",
            "IMD 2025 share of LSOAs in the most deprived 10% nationally",
            unit="proportion",
            polarity=LOWER,
            low=0,
            high=1,
            released=RELEASE_2025,
        ),
        _spec(
            "iod2025-imd-extent",
            "imd25_extent",
            "IMD 2025 extent",
            unit="proportion",
            polarity=LOWER,
            low=0,
            high=1,
            released=RELEASE_2025,
        ),
        _spec(
            "iod2025-imd-local-concentration",
            "imd25_local_concentration",
            "IMD 2025 local concentration (population-weighted average rank of the "
            "council's most deprived LSOAs; in this file a higher rank is more deprived)",
            unit="rank",
            polarity=LOWER,
            low=0,
            released=RELEASE_2025,
        ),
        _spec(
            "iod2025-imd-average-rank",
            "imd_average_rank",
            "IMD 2025 population-weighted average rank of the council's LSOAs "
            "(a higher rank is more deprived)",
            unit="rank",
            polarity=LOWER,
            low=0,
            released=RELEASE_2025,
        ),
    ]
    for column, slug, unit in DOMAINS_2025:
        label = column.replace("_", " ")
        specs.append(
            _spec(
                f"iod2025-{slug}-average-score",
                f"{column}_average_score",
                f"IoD 2025 {label} domain average score",
                unit=unit,
                polarity=LOWER,
                low=0 if unit == "rate" else None,
                high=1 if unit == "rate" else None,
                released=RELEASE_2025,
            )
        )
        specs.append(
            _spec(
                f"iod2025-{slug}-proportion-most-deprived-10pc",
                f"{column}{PROPORTION_10}",
                f"IoD 2025 {label} domain: share of LSOAs in the most deprived 10%",
                unit="proportion",
                polarity=LOWER,
                low=0,
                high=1,
                released=RELEASE_2025,
            )
        )
    return specs


def _lsoa_2025() -> list[IndicatorSpec]:
    specs = []
    for column, slug in LSOA_DOMAINS_2025:
        label = "IMD" if column == "IMD" else f"{column.replace('_', ' ')} domain"
        unit = "rate" if column in {"Income", "Employment"} else "score"
        specs.append(
            _spec(
                f"iod2025-lsoa-{slug}-score",
                f"{column}_score",
                f"IoD 2025 {label} score",
                unit=unit,
                polarity=LOWER,
                low=0 if unit == "rate" else None,
                high=1 if unit == "rate" else None,
                levels=("small_area",),
                released=RELEASE_2025,
            )
        )
        specs.append(
            _spec(
                f"iod2025-lsoa-{slug}-decile",
                f"{column}_decile",
                f"IoD 2025 {label} decile (1 = most deprived 10%)",
                unit="decile",
                polarity=HIGHER,
                low=1,
                high=10,
                levels=("small_area",),
                released=RELEASE_2025,
            )
        )
    return specs


class Iod2025Source(WideSource):
    dataset = DatasetSpec(
        slug="iod2025",
        name="English Indices of Deprivation 2025",
        publisher=MHCLG,
        source_url=IOD_URL,
        licence=OGL,
        description="IoD 2025: official council summaries (2024 boundaries) and LSOA 2021 scores.",
    )
    release_label = "IoD 2025 via the IMD R package (snapshot 2025-11-20)"
    released_on = RELEASE_2025
    version = "iod2025-3"
    wide_files = (
        WideFile(
            "iod-deprivation/imd2025_england_ltla24.csv", "ltla24_code", "2021/22", _la_2025()
        ),
        WideFile(
            "iod-deprivation/imd2025_england_lsoa21.csv", "lsoa21_code", "2021/22", _lsoa_2025()
        ),
    )


WIMD_DOMAINS = [
    "Income",
    "Employment",
    "Health",
    "Education",
    "Housing",
    "Access",
    "Environment",
    "Crime",
]


def _wimd() -> tuple[list[IndicatorSpec], list[IndicatorSpec]]:
    spec = partial(_spec, org="Welsh Government", url=WIMD_URL, released=date(2019, 11, 27))
    small = ("small_area",)
    la = [
        spec(
            "wimd2019-average-score",
            "Score",
            "WIMD 2019 average score",
            unit="score",
            polarity=LOWER,
            low=0,
        ),
        spec(
            "wimd2019-proportion-most-deprived-10pc",
            "Proportion",
            "WIMD 2019 share of LSOAs in the most deprived 10%",
            unit="proportion",
            polarity=LOWER,
            low=0,
            high=1,
        ),
    ]
    lsoa = [
        spec(
            "wimd2019-lsoa-imd-score",
            "IMD_score",
            "WIMD 2019 score",
            unit="score",
            polarity=LOWER,
            low=0,
            levels=small,
        ),
        spec(
            "wimd2019-lsoa-imd-decile",
            "IMD_decile",
            "WIMD 2019 decile (1 = most deprived)",
            unit="decile",
            polarity=HIGHER,
            low=1,
            high=10,
            levels=small,
        ),
    ]
    for domain in WIMD_DOMAINS:
        la.append(
            spec(
                f"wimd2019-{domain.lower()}-average-score",
                f"{domain}_Score",
                f"WIMD 2019 {domain} domain average score",
                unit="score",
                polarity=LOWER,
            )
        )
        lsoa.append(
            spec(
                f"wimd2019-lsoa-{domain.lower()}-score",
                f"{domain}_score",
                f"WIMD 2019 {domain} domain score",
                unit="score",
                polarity=LOWER,
                levels=small,
            )
        )
    return la, lsoa


class Wimd2019Source(WideSource):
    dataset = DatasetSpec(
        slug="wimd2019",
        name="Welsh Index of Multiple Deprivation 2019",
        publisher="Welsh Government",
        source_url=WIMD_URL,
        licence=OGL,
        description=(
            "WIMD 2019 council aggregates and LSOA scores; not comparable with England's IoD."
        ),
    )
    release_label = "WIMD 2019 via the IMD R package (snapshot 2025-11-20)"
    released_on = date(2019, 11, 27)
    version = "wimd2019-2"

    @property
    def wide_files(self):  # type: ignore[override]
        la, lsoa = _wimd()
        return (
            WideFile("iod-deprivation/imd2019_wales_ltla22.csv", "ltla22_code", "2017/18", la),
            WideFile("iod-deprivation/imd2019_wales_lsoa11.csv", "lsoa11_code", "2017/18", lsoa),
        )
