"""The only bridge between the ORM and the pure engine: DataFrames in, rows out."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import F

from frameworks.definitions import load_definition
from frameworks.gaps import compute_gaps
from frameworks.models import FrameworkNode, FrameworkVersion, NodeLevel
from indicators.models import Indicator, Observation
from places.models import AreaType, Place
from scoring.alignment import align_to_years, years_with_coverage
from scoring.engine import FrameworkTree, IndicatorSlot, Node

COUNCILS = "councils"
SMALL_AREAS = "small_areas"
TIERS = {"upper_tier": "is_upper_tier", "lower_tier": "is_lower_tier"}


@dataclass(frozen=True)
class Selection:
    """Which data a run reads: our choices, stored with every run beside the method."""

    max_data_age_years: int = 5
    first_year: int = 2010
    last_year: int | None = None  # default: the geography year
    min_share_of_places: float = 0.5
    min_share_of_indicators: float = 0.4

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ScoringInputs:
    tree: FrameworkTree
    observations: pd.DataFrame  # engine long form: place, reference_set, period, indicator, …
    aligned: pd.DataFrame  # place, indicator, year, value, …, period_start, period_end
    population: pd.DataFrame
    releases: list[int]
    years: list[int]
    slot_labels: dict[str, str] = field(default_factory=dict)


def framework_tree(version: FrameworkVersion) -> tuple[FrameworkTree, dict[str, str]]:
    """Engine tree from stored nodes; slots without data stay out of the scores.

    Each node's and slot's ``weight`` (set in the builder; 1 in the index) goes with it:
    a bespoke framework is scored with the weighted means its partnership chose.
    """
    nodes = list(
        FrameworkNode.objects.filter(version=version)
        .select_related("indicator")
        .order_by("position")
    )
    tree_nodes = [
        Node(id=n.key, parent=n.parent_key or None, level=n.level, label=n.label, weight=n.weight)
        for n in nodes
        if n.level != NodeLevel.INDICATOR
    ]
    slots = []
    for n in nodes:
        if n.level != NodeLevel.INDICATOR or not (n.indicator_id or n.derived_key):
            continue
        key = n.indicator.slug if n.indicator else n.derived_key
        slots.append(
            IndicatorSlot(
                id=n.key,
                node=n.parent_key,
                indicator=key,
                polarity=n.polarity,
                transform=n.transform,
                label=n.label,
                weight=n.weight,
            )
        )
    return FrameworkTree(tuple(tree_nodes), tuple(slots)), {n.key: n.label for n in nodes}


def _observations(indicator_slugs: list[str], places: list[str]) -> pd.DataFrame:
    """Current values of the indicators, each read only from its own dataset's release.

    An observation row names an indicator and a release independently, so a release
    of another dataset (a partnership's upload) could carry values under a national
    indicator; matching the release's dataset to the indicator's keeps them out.
    """
    rows = Observation.objects.filter(
        indicator__slug__in=indicator_slugs,
        release__is_current=True,
        release__dataset_id=F("indicator__dataset_id"),
        place_id__in=places,
    ).values_list(
        "place_id",
        "indicator__slug",
        "period_start",
        "period_end",
        "value",
        "lower_ci",
        "upper_ci",
        "release_id",
    )
    return pd.DataFrame(
        list(rows),
        columns=[
            "place",
            "indicator",
            "period_start",
            "period_end",
            "value",
            "lower_ci",
            "upper_ci",
            "release",
        ],
    )


def _reference_rows(places: pd.DataFrame, years: list[int], scope: str) -> pd.DataFrame:
    """(place, year, reference_set): the places that existed in each year, per tier."""
    frames = []
    for year in years:
        alive = places[
            (places["start_year"].isna() | (places["start_year"] <= year))
            & (places["end_year"].isna() | (places["end_year"] >= year))
        ]
        if scope == SMALL_AREAS:
            frames.append(
                alive.assign(year=year, reference_set="E-small_area")[
                    ["place", "year", "reference_set"]
                ]
            )
            continue
        for tier, flag in TIERS.items():
            chosen = alive[alive[flag]]
            frames.append(
                chosen.assign(year=year, reference_set=f"E-{tier}")[
                    ["place", "year", "reference_set"]
                ]
            )
    if not frames:
        return pd.DataFrame(columns=["place", "year", "reference_set"])
    return pd.concat(frames, ignore_index=True)


def scoring_inputs(
    version: FrameworkVersion, *, scope: str = COUNCILS, selection: Selection | None = None
) -> ScoringInputs:
    """Read everything one run needs: the tree, the current observations, the places."""
    selection = selection or Selection()
    tree, labels = framework_tree(version)
    keys = sorted({slot.indicator for slot in tree.slots})
    gap_definitions = [g for g in load_definition("equality_gaps")["gaps"] if g["slug"] in keys]
    gap_inputs = sorted({i for g in gap_definitions for i in g["inputs"]})
    catalogue = set(
        Indicator.objects.filter(slug__in=keys + gap_inputs).values_list("slug", flat=True)
    )

    if scope == SMALL_AREAS:
        place_rows = Place.objects.filter(area_type=AreaType.LSOA, nation="E")
    else:
        place_rows = Place.objects.filter(nation="E").councils()
    places = pd.DataFrame(
        list(
            place_rows.values_list(
                "code", "is_upper_tier", "is_lower_tier", "start_year", "end_year", "population"
            )
        ),
        columns=["place", "is_upper_tier", "is_lower_tier", "start_year", "end_year", "population"],
    )
    raw = _observations(sorted(catalogue), places["place"].tolist())
    releases = sorted(int(r) for r in raw["release"].dropna().unique())
    if gap_definitions:
        gaps = compute_gaps(raw[raw["indicator"].isin(gap_inputs)], gap_definitions)
        gaps = gaps.rename(columns={"gap_slug": "indicator"}).drop(columns="inputs_present")
        raw = pd.concat([raw[raw["indicator"].isin(keys)], gaps], ignore_index=True)
    else:
        raw = raw[raw["indicator"].isin(keys)]

    last = selection.last_year or int(settings.TPI_GEOGRAPHY_YEAR)
    if scope == SMALL_AREAS and not raw.empty:
        last = int(pd.to_datetime(raw["period_end"]).dt.year.max())
    candidate_years = list(range(selection.first_year, last + 1))
    aligned = align_to_years(raw, candidate_years, selection.max_data_age_years)
    reference = _reference_rows(places, candidate_years, scope)
    years = years_with_coverage(
        aligned,
        reference,
        keys,
        min_share_of_places=selection.min_share_of_places,
        min_share_of_indicators=selection.min_share_of_indicators,
    )
    reference = reference[reference["year"].isin(years)]
    long = aligned.merge(reference, on=["place", "year"])
    observations = pd.DataFrame(
        {
            "place": long["place"],
            "reference_set": long["reference_set"],
            "period": long["year"].astype(np.int64),
            "indicator": long["indicator"],
            "value": long["value"].astype(float),
            "lower_ci": long["lower_ci"].astype(float),
            "upper_ci": long["upper_ci"].astype(float),
        }
    )
    # Every place of a reference set gets a row, even with no data at all.
    skeleton = reference.rename(columns={"year": "period"})
    skeleton = skeleton[
        ~skeleton.set_index(["place", "reference_set", "period"]).index.isin(
            observations.set_index(["place", "reference_set", "period"]).index
        )
    ]
    if not skeleton.empty and keys:
        filler = skeleton.assign(indicator=keys[0], value=np.nan, lower_ci=np.nan, upper_ci=np.nan)
        observations = pd.concat([observations, filler[observations.columns]], ignore_index=True)
    population = places.loc[places["population"].notna(), ["place", "population"]]
    return ScoringInputs(
        tree=tree,
        observations=observations,
        aligned=aligned,
        population=population,
        releases=releases,
        years=years,
        slot_labels=labels,
    )
