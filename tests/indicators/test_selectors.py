"""Indicator reads over a tiny real-geography release imported through the real pipeline.

``import_tiny`` (used by the API and view tests too) writes a file of ~20 tidy rows for real
GSS codes and imports it with ``import_source``, so every test runs on data the pipeline
accepted, with releases, periods and line numbers as in production.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import selectors
from indicators.importing import SKIP_ROWS, DatasetSpec, ImportReport, IndicatorSpec, import_source
from indicators.models import DatasetRelease, Indicator, Observation
from indicators.periods import FINANCIAL_YEAR
from places.selectors import place_get

pytestmark = pytest.mark.django_db

HARTLEPOOL, ENGLAND, NORTH_EAST, ROTHERHAM = "E06000001", "E92000001", "E12000001", "E08000018"
SIMILAR_TO_HARTLEPOOL = ["E08000018", "E06000003", "E07000171", "E08000008", "E07000038"]
TINY_DATASET = DatasetSpec(
    slug="tiny-test",
    name="Tiny test dataset",
    publisher="Test publisher",
    source_url="https://example.org/tiny",
    licence="Open Government Licence v3.0",
)
TINY_SPECS = [
    IndicatorSpec(
        slug="tiny-smoking",
        source_key="smoking",
        name="Tiny smoking prevalence",
        unit="%",
        measure="Percentage",
        polarity="lower_better",
        source_organisation="Tiny Office",
        source_url="https://example.org/tiny/smoking",
        licence="Open Government Licence v3.0",
        geography_levels=("lower_tier", "upper_tier"),
        caveats="Survey estimates; small samples in small areas.",
        release_date=date(2024, 3, 1),
        min_value=0,
        max_value=100,
    ),
    IndicatorSpec(
        slug="tiny-jobs",
        source_key="jobs",
        name="Tiny jobs count",
        unit="count",
        polarity="higher_better",
        geography_levels=("region",),
        decimal_places=0,
    ),
]


def tiny_rows(shift: float = 0.0) -> list[dict[str, str]]:
    """Smoking for Hartlepool (2020 suppressed), England, North East and 5 similar areas."""
    rows = []
    for year, value in ((2019, 15.0), (2020, None), (2021, 14.0)):
        rows.append(
            {
                "place": HARTLEPOOL,
                "indicator": "smoking",
                "period": str(year),
                "value": "" if value is None else str(value + shift),
                "lower_ci": "" if value is None else str(value + shift - 1.5),
                "upper_ci": "" if value is None else str(value + shift + 1.5),
                "status": "x" if value is None else "",
                "note": "too few responses" if value is None else "",
            }
        )
    for code, base in (
        (ENGLAND, 12.0),
        (NORTH_EAST, 13.0),
        *((c, 11.0) for c in SIMILAR_TO_HARTLEPOOL),
    ):
        for year in (2019, 2021):
            rows.append(
                {"place": code, "indicator": "smoking", "period": str(year), "value": str(base)}
            )
    rows.append({"place": NORTH_EAST, "indicator": "jobs", "period": "2022/23", "value": "1200"})
    return rows


@dataclass
class TinySource:
    """A Source (see indicators.importing) reading rows from a small CSV it writes itself."""

    path: Path
    rows: list[dict[str, str]] = field(default_factory=tiny_rows)
    release_label: str = "Tiny release 1"
    version: str = "tiny-1"
    dataset: DatasetSpec = TINY_DATASET
    released_on: date | None = date(2024, 3, 1)
    policy: str = SKIP_ROWS
    blank_value_is_missing: bool = True
    split_year: str = FINANCIAL_YEAR
    out_of_scope_prefixes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        columns = [
            "place",
            "indicator",
            "period",
            "value",
            "lower_ci",
            "upper_ci",
            "status",
            "note",
        ]
        with self.path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(self.rows)

    def files(self) -> list[Path]:
        return [self.path]

    def indicator_specs(self) -> list[IndicatorSpec]:
        return TINY_SPECS

    def estimate_rows(self) -> int | None:
        return len(self.rows)

    def chunks(self) -> Iterator[pd.DataFrame]:
        frame = pd.read_csv(self.path, dtype=str, keep_default_na=False)
        frame.insert(0, "line", range(2, 2 + len(frame)))
        frame["scope"] = ""
        yield frame


def import_tiny(folder: Path, *, second_release: bool = False) -> ImportReport:
    """Import the tiny release (and, if asked, a newer one with values shifted by 1)."""
    report = import_source(TinySource(folder / "tiny-1.csv"))
    if second_release:
        report = import_source(
            TinySource(
                folder / "tiny-2.csv",
                rows=tiny_rows(shift=1.0),
                release_label="Tiny release 2",
                version="tiny-2",
            )
        )
    return report


@pytest.fixture
def tiny(tmp_path) -> ImportReport:
    return import_tiny(tmp_path)


@pytest.fixture
def tiny_two_releases(tmp_path) -> ImportReport:
    return import_tiny(tmp_path, second_release=True)


# --- catalogue ---------------------------------------------------------------------------


def test_tiny_release_is_imported_with_the_suppressed_row_kept(tiny):
    assert tiny.rows_rejected == 0
    assert tiny.rows_accepted == 3 + 7 * 2 + 1
    suppressed = Observation.objects.get(
        indicator__slug="tiny-smoking", place_id=HARTLEPOOL, period_start=date(2020, 1, 1)
    )
    assert suppressed.value is None
    assert suppressed.status == "suppressed"


def test_indicator_list_filters_by_query_dataset_polarity_and_level(tiny):
    def slugs(**filters):
        return [
            i.slug for i in selectors.indicator_list(**filters).filter(dataset__slug="tiny-test")
        ]

    assert slugs() == ["tiny-jobs", "tiny-smoking"]  # by name
    assert slugs(query="SMOKING") == ["tiny-smoking"]
    assert slugs(polarity="higher_better") == ["tiny-jobs"]
    assert slugs(level="lower_tier") == ["tiny-smoking"]
    assert slugs(level="region") == ["tiny-jobs"]
    assert [i.slug for i in selectors.indicator_list(dataset="tiny-test")] == [
        "tiny-jobs",
        "tiny-smoking",
    ]
    assert list(selectors.indicator_list(dataset="no-such-dataset")) == []


def test_indicator_get_joins_its_dataset(tiny):
    with CaptureQueriesContext(connection) as queries:
        indicator = selectors.indicator_get(slug="tiny-smoking")
        assert indicator.dataset.name == "Tiny test dataset"
    assert len(queries) == 1
    with pytest.raises(Indicator.DoesNotExist):
        selectors.indicator_get(slug="nope")


def test_dataset_list_has_current_release_and_indicator_count_in_bounded_queries(
    tiny_two_releases,
):
    with CaptureQueriesContext(connection) as queries:
        datasets = {d.slug: d for d in selectors.dataset_list()}
        tiny = datasets["tiny-test"]
        assert tiny.indicator_count == 2  # type: ignore[attr-defined]
        assert [r.label for r in tiny.current] == ["Tiny release 2"]  # type: ignore[attr-defined]
    assert len(queries) == 2


def test_release_list_newest_first_and_current_only(tiny_two_releases):
    labels = [r.label for r in selectors.release_list(dataset="tiny-test")]
    current = [r.label for r in selectors.release_list(dataset="tiny-test", current_only=True)]

    assert labels == ["Tiny release 2", "Tiny release 1"]
    assert current == ["Tiny release 2"]


# --- series and comparators --------------------------------------------------------------


def test_observation_series_is_ordered_by_period_with_its_release(tiny_two_releases):
    indicator = Indicator.objects.get(slug="tiny-smoking")
    place = place_get(code=HARTLEPOOL)

    with CaptureQueriesContext(connection) as queries:
        current = list(selectors.observation_series(indicator=indicator, place=place))
        labels = [(o.period_label, o.value, o.release.label) for o in current]
    every = list(selectors.observation_series(indicator=indicator, place=place, current_only=False))

    assert len(queries) == 1
    assert labels == [
        ("2019", 16.0, "Tiny release 2"),
        ("2020", None, "Tiny release 2"),
        ("2021", 15.0, "Tiny release 2"),
    ]
    assert len(every) == 6
    # Within a period, the newest release comes first.
    assert [o.release.label for o in every[:2]] == ["Tiny release 2", "Tiny release 1"]


def test_comparators_are_england_the_region_and_five_similar_areas():
    place = place_get(code=HARTLEPOOL)

    comparators = selectors.comparators_for(place=place)

    assert [(c.role, c.place.code) for c in comparators[:2]] == [
        ("england", ENGLAND),
        ("region", NORTH_EAST),
    ]
    similar = [c for c in comparators if c.role == "similar"]
    assert [c.place.code for c in similar] == SIMILAR_TO_HARTLEPOOL
    assert [c.rank for c in similar] == [1, 2, 3, 4, 5]


def test_comparators_of_england_and_of_a_welsh_council():
    assert selectors.comparators_for(place=place_get(code=ENGLAND)) == []
    cardiff = selectors.comparators_for(place=place_get(code="W06000015"))
    roles = [(c.role, c.place.code) for c in cardiff]
    assert roles[:2] == [("england", ENGLAND), ("country", "W92000004")]


def test_observation_comparisons_fetch_every_comparator_in_one_query(tiny):
    indicator = Indicator.objects.get(slug="tiny-smoking")
    places = [c.place for c in selectors.comparators_for(place=place_get(code=HARTLEPOOL))]

    with CaptureQueriesContext(connection) as queries:
        grouped = selectors.observation_comparisons(indicator=indicator, places=places)
        releases = {o.release.label for rows in grouped.values() for o in rows}

    assert len(queries) == 1
    assert releases == {"Tiny release 1"}
    assert [o.value for o in grouped[ENGLAND]] == [12.0, 12.0]
    assert all(len(grouped[code]) == 2 for code in SIMILAR_TO_HARTLEPOOL)


# --- observation list (the API's filters) ------------------------------------------------


def test_observation_list_filters(tiny_two_releases):
    def count(**filters):
        return selectors.observation_list(dataset="tiny-test", **filters).count()

    first, second = DatasetRelease.objects.filter(dataset__slug="tiny-test").order_by("pk")
    assert count() == 18  # current release only
    assert count(current_only=False) == 36
    assert count(release=first.pk) == 18  # a named release, even superseded
    assert count(release=first.pk, current_only=True) == 0
    assert count(indicator="tiny-jobs") == 1
    assert count(places=[HARTLEPOOL.lower(), ENGLAND]) == 5
    # Periods are intervals: 2022/23 (April to March) overlaps calendar 2023.
    assert count(period_from=date(2023, 1, 1)) == 1
    assert count(period_to=date(2019, 12, 31)) == 8
    assert count(period_from=date(2020, 6, 1), period_to=date(2020, 6, 30)) == 1
    assert second.is_current


def test_observation_list_joins_everything_it_serialises(tiny):
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.observation_list(dataset="tiny-test"))
        described = {(o.indicator.slug, o.place.name, o.release.dataset.slug) for o in rows}
    assert len(queries) == 1
    assert ("tiny-smoking", "Hartlepool", "tiny-test") in described


# --- place picker ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("E06000001", HARTLEPOOL),
        (" e06000001 ", HARTLEPOOL),
        ("Hartlepool", HARTLEPOOL),
        ("hartlepool", HARTLEPOOL),
        ("York", "E06000014"),
    ],
)
def test_place_choose_reads_a_code_or_a_name(text, code):
    choice = selectors.place_choose(text=text)

    assert choice.place is not None
    assert choice.place.code == code


def test_place_choose_offers_candidates_or_nothing():
    several = selectors.place_choose(text="Yorkshire")
    nothing = selectors.place_choose(text="Atlantis")

    assert several.place is None
    assert len(several.candidates) > 1
    assert all("yorkshire" in p.name.lower() for p in several.candidates)
    assert nothing.place is None
    assert nothing.candidates == []
