"""Reads for the drill-down: a parent's districts and their scores, a district's IoD summaries.

Every function runs a fixed number of queries whatever the number of districts.
"""

from dataclasses import dataclass

from django.db.models import Q

from indicators.models import DatasetRelease, Indicator, Observation
from places.models import AreaType, Boundary, Place
from places.selectors import boundaries_for, geography_year, place_get
from scoring.models import Score, ScoringRun

LOWER_TIER_SET = "E-lower_tier"
UPPER_TIER_SET = "E-upper_tier"

# IoD 2025 local-authority summary measures (MHCLG): how deprivation is spread inside a
# council. Each ranks England's lower-tier councils; a higher value is more deprived.
IOD_SUMMARY = (
    (
        "iod2025-imd-average-score",
        "Average score",
        "Population-weighted average of its small areas' IMD scores. Very deprived areas are "
        "not averaged out, so a council with pockets of severe deprivation ranks worse here.",
    ),
    (
        "iod2025-imd-average-rank",
        "Average rank",
        "Population-weighted average of its small areas' national ranks. Extremes are "
        "smoothed: a council mixing very deprived and affluent areas ranks moderately.",
    ),
    (
        "iod2025-imd-proportion-most-deprived-10pc",
        "Share of small areas in England's most deprived 10%",
        "How many of its LSOAs are among the 10% most deprived in England.",
    ),
    (
        "iod2025-imd-extent",
        "Extent",
        "Share of its population living in the most deprived areas (the 30% most deprived, "
        "weighted down towards the 10%).",
    ),
    (
        "iod2025-imd-local-concentration",
        "Local concentration",
        "Population-weighted average rank of its most deprived areas, covering 10% of its "
        "people: how deprived its worst-off neighbourhoods are.",
    ),
)
IOD_DOMAINS = (
    ("iod2025-income-proportion-most-deprived-10pc", "Income"),
    ("iod2025-employment-proportion-most-deprived-10pc", "Employment"),
    ("iod2025-education-skills-training-proportion-most-deprived-10pc", "Education and skills"),
    ("iod2025-health-deprivation-disability-proportion-most-deprived-10pc", "Health"),
    ("iod2025-crime-proportion-most-deprived-10pc", "Crime"),
    ("iod2025-barriers-housing-services-proportion-most-deprived-10pc", "Housing and services"),
    ("iod2025-living-environment-proportion-most-deprived-10pc", "Living environment"),
)
PARENT_TYPES = {
    AreaType.COUNTY: ("upper_tier_id", "Districts"),
    AreaType.REGION: ("region_id", "Lower-tier councils"),
    AreaType.COMBINED_AUTHORITY: ("combined_authority_id", "Lower-tier member councils"),
}


def drill_place(*, code: str) -> Place:
    """The place with its parents; raises Place.DoesNotExist."""
    return place_get(code=code)


def is_parent(place: Place) -> bool:
    """A county, region or combined authority: a place whose districts can be listed."""
    return place.area_type in PARENT_TYPES


def drill_children(*, place: Place) -> list[Place]:
    """The lower-tier councils inside a county, region or combined authority, by name."""
    field, _label = PARENT_TYPES[AreaType(place.area_type)]
    children = Place.objects.filter(Q(**{field: place.code}), is_lower_tier=True).select_related(
        "upper_tier"
    )
    if place.end_year is None:
        children = children.valid_in(geography_year())
    return list(children.order_by("name", "code"))


def children_label(place: Place) -> str:
    return PARENT_TYPES[AreaType(place.area_type)][1]


def drill_scores(
    *, run: ScoringRun, node: str, year: int, codes: list[str], parent: str = ""
) -> tuple[dict[str, Score], Score | None]:
    """The districts' scores among England's lower tier, and the parent's own upper-tier
    score (a county's; regions and combined authorities are not scored). One query."""
    wanted = Q(place_id__in=codes, reference_set=LOWER_TIER_SET)
    if parent:
        wanted |= Q(place_id=parent, reference_set=UPPER_TIER_SET)
    rows = Score.objects.filter(wanted, run=run, node_key=node, year=year)
    scores: dict[str, Score] = {}
    own = None
    for row in rows:
        if row.place_id == parent and row.reference_set == UPPER_TIER_SET:
            own = row
        elif row.reference_set == LOWER_TIER_SET:
            scores[row.place_id] = row
    return scores, own


def drill_boundaries(*, codes: list[str], year: int) -> dict[str, Boundary]:
    return boundaries_for(codes=codes, year=year)


@dataclass(frozen=True)
class Measure:
    """One IoD summary value of a council, ranked among England's lower-tier councils."""

    slug: str
    label: str
    help: str
    value: float | None
    rank: int | None  # 1 = most deprived
    rank_of: int
    unit: str
    decimal_places: int
    period: str


def _iod_values(slugs: list[str]) -> tuple[dict[str, Indicator], dict[str, dict[str, float]]]:
    """The national indicators and their latest value for every current English lower-tier
    council (four small queries). Releases and councils are filtered in Python: in SQL the
    planner would walk the release index, which also covers every LSOA row of the release."""
    indicators = {
        i.slug: i
        for i in Indicator.objects.filter(slug__in=slugs, dataset__partnership__isnull=True)
    }
    releases = set(
        DatasetRelease.objects.filter(
            dataset_id__in={i.dataset_id for i in indicators.values()}, is_current=True
        ).values_list("pk", flat=True)
    )
    councils = set(
        Place.objects.valid_in(geography_year())
        .filter(is_lower_tier=True, nation="E")
        .values_list("code", flat=True)
    )
    rows = (
        Observation.objects.filter(
            indicator_id__in=[i.pk for i in indicators.values()], value__isnull=False
        )
        .order_by("indicator_id", "place_id", "period_end")
        .values_list("indicator_id", "place_id", "release_id", "value")
    )
    slug_of = {i.pk: slug for slug, i in indicators.items()}
    values: dict[str, dict[str, float]] = {slug: {} for slug in indicators}
    for indicator_id, place_id, release_id, value in rows:
        if value is not None and place_id in councils and release_id in releases:
            values[slug_of[indicator_id]][place_id] = value  # latest period wins
    return indicators, values


def _rank(values: dict[str, float], code: str) -> int | None:
    """Rank 1 = highest value (most deprived); ties share the better rank."""
    if code not in values:
        return None
    mine = values[code]
    return 1 + sum(1 for v in values.values() if v > mine)


def _measures(
    specs: list[tuple[str, str, str]],
    indicators: dict[str, Indicator],
    values: dict[str, dict[str, float]],
    code: str,
) -> list[Measure]:
    found = []
    for slug, label, help_text in specs:
        indicator = indicators.get(slug)
        if indicator is None:
            continue
        by_place = values.get(slug, {})
        found.append(
            Measure(
                slug=slug,
                label=label,
                help=help_text,
                value=by_place.get(code),
                rank=_rank(by_place, code),
                rank_of=len(by_place),
                unit=indicator.unit,
                decimal_places=indicator.decimal_places,
                period=str(indicator.release_date.year) if indicator.release_date else "",
            )
        )
    return found


@dataclass(frozen=True)
class IodSummary:
    measures: list[Measure]
    domains: list[Measure]
    siblings: list[tuple[Place, list[Measure]]]


def iod_summary(*, place: Place, siblings: list[Place]) -> IodSummary:
    """The place's IoD summary measures and domain shares, and its siblings' measures.

    Four queries (see ``_iod_values``), none per sibling.
    """
    specs = list(IOD_SUMMARY)
    domain_specs = [(slug, label, "") for slug, label in IOD_DOMAINS]
    indicators, values = _iod_values([s[0] for s in specs + domain_specs])
    return IodSummary(
        measures=_measures(specs, indicators, values, place.code),
        domains=_measures(domain_specs, indicators, values, place.code),
        siblings=[(s, _measures(specs, indicators, values, s.code)) for s in siblings],
    )


def district_siblings(*, place: Place) -> list[Place]:
    """The other districts of a district's county (none for a unitary authority)."""
    if not place.upper_tier_id or place.upper_tier_id == place.code:
        return []
    return list(
        Place.objects.valid_in(geography_year())
        .filter(upper_tier_id=place.upper_tier_id, is_lower_tier=True)
        .order_by("name", "code")
    )


def district_scores(*, run: ScoringRun, place: Place, year: int) -> list[Score]:
    """The district's headline and domain scores among England's lower tier (one query)."""
    return list(
        Score.objects.filter(
            run=run,
            place_id=place.code,
            year=year,
            reference_set=LOWER_TIER_SET,
            level__in=["headline", "domain"],
        )
    )
