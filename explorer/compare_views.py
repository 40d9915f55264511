"""Compare 2-8 councils side by side on every node of the current run of a framework the
person may see (``?framework=``, default TPI 2024)."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from explorer.compare_charts import Bar, Series, compare_figure
from explorer.selectors import framework_choose
from frameworks.models import FrameworkNode
from places.models import AreaType, Level, NeighbourKind, Place, SimilarArea
from places.selectors import geography_year
from scoring.engine import BANDS
from scoring.models import Score, ScoringRun
from scoring.selectors import node_labels

MIN_PLACES, MAX_PLACES = 2, 8
ROW_LEVELS = ("headline", "domain", "subdomain")
CHART_LEVELS = ("headline", "domain")
TIERS = {Level.UPPER_TIER.value: "upper-tier", Level.LOWER_TIER.value: "lower-tier"}
BAND_COLOURS = {band.key: band.colour for band in BANDS}


@dataclass(frozen=True)
class Preset:
    label: str
    description: str
    places: list[Place]
    tier: str
    framework: str = ""

    @property
    def query(self) -> str:
        params = {"places": ",".join(p.code for p in self.places), "tier": self.tier}
        return urlencode({**params, **({"framework": self.framework} if self.framework else {})})


@dataclass
class Row:
    node: FrameworkNode
    cells: list[Score | None] = field(default_factory=list)


def parse_codes(*values: str) -> list[str]:
    """Codes from comma- or space-separated text, upper-cased, first occurrence kept."""
    codes: list[str] = []
    for value in values:
        for code in re.split(r"[\s,;]+", value.upper()):
            if code and code not in codes:
                codes.append(code)
    return codes


def _in_tier(place: Place, tier: str) -> bool:
    return place.is_upper_tier if tier == Level.UPPER_TIER else place.is_lower_tier


def _presets(first: Place, tier: str, year: int) -> list[Preset]:
    """One-click sets built around the first place (a bounded number of queries)."""
    presets: list[Preset] = []
    tier_name = TIERS[tier]
    similar = [
        link.neighbour
        for link in SimilarArea.objects.filter(place=first, kind=NeighbourKind.GLOBAL)
        .select_related("neighbour")
        .order_by("rank")
        if link.neighbour.nation == "E" and _in_tier(link.neighbour, tier)
    ][: MAX_PLACES - 1]
    if similar:
        presets.append(
            Preset(
                "Similar areas",
                f"{first.name} and the {len(similar)} {tier_name} councils ONS finds most "
                "similar to it overall",
                [first, *similar],
                tier,
            )
        )
    if first.region_id and first.region:
        members = list(
            Place.objects.valid_in(geography_year())
            .at_level(tier)
            .filter(region_id=first.region_id)
            .exclude(code=first.code)
            .order_by("name")[: MAX_PLACES - 1]
        )
        if members:
            presets.append(
                Preset(
                    "Same region",
                    f"{first.name} and {tier_name} councils of {first.region.name}",
                    [first, *members],
                    tier,
                )
            )
    county: Place | None = None
    if first.area_type == AreaType.COUNTY:
        county = first
    elif first.area_type == AreaType.DISTRICT and first.upper_tier_id:
        county = first.upper_tier
    if county is not None:
        districts = list(
            Place.objects.valid_in(geography_year())
            .filter(upper_tier_id=county.code, is_lower_tier=True)
            .order_by("name")
        )
        if first in districts:
            districts = [first, *(d for d in districts if d != first)]
        if len(districts) >= MIN_PLACES:
            presets.append(
                Preset(
                    "A county's districts",
                    f"Districts of {county.name}"
                    + (f" (first {MAX_PLACES} of {len(districts)})" if len(districts) > 8 else ""),
                    districts[:MAX_PLACES],
                    Level.LOWER_TIER.value,
                )
            )
    return presets


def _names(places: list[Place]) -> str:
    return ", ".join(f"{p.name} ({p.code})" for p in places)


def compare(request: HttpRequest) -> HttpResponse:
    codes = parse_codes(request.GET.get("places", ""), request.GET.get("add", ""))
    remove = set(parse_codes(request.GET.get("remove", "")))
    codes = [c for c in codes if c not in remove]
    messages: list[str] = []
    chosen = framework_choose(key=request.GET.get("framework", ""), user=request.user)
    run: ScoringRun | None = chosen.run
    extra = {} if chosen.is_default else {"framework": chosen.key}
    context: dict = {
        "codes": codes,
        "codes_text": ", ".join(codes),
        "run": run,
        "framework_key": extra.get("framework", ""),
        "framework_name": "" if chosen.is_default else chosen.name,
    }
    if run is None or not run.periods:
        messages.append(
            "The Thriving Places Index 2024 has not been scored yet."
            if chosen.is_default
            else f"{chosen.name} has not been scored yet."
        )
        return render(request, "explorer/compare.html", {**context, "notices": messages})

    years = sorted(run.periods)
    year = years[-1]
    if request.GET.get("year"):
        try:
            year = int(request.GET["year"])
        except ValueError:
            year = 0
        if year not in years:
            messages.append(f"No scores for the year {request.GET['year']!r}; showing {years[-1]}.")
            year = years[-1]

    found = {
        p.code: p
        for p in Place.objects.select_related("region", "upper_tier").filter(code__in=codes)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        messages.append(
            f"No place has the code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}."
        )
    places = [found[c] for c in codes if c in found]

    tier = request.GET.get("tier", "")
    if tier not in TIERS:
        if tier:
            messages.append(f"Unknown tier {tier!r}; choose upper_tier or lower_tier.")
        tier = (
            Level.UPPER_TIER.value
            if places and all(p.is_upper_tier for p in places)
            else Level.LOWER_TIER.value
        )
    reference_set = f"E-{tier}"

    scored: list[Place] = []
    rows: list[Row] = []
    figure = None
    if len(codes) > MAX_PLACES:
        messages.append(
            f"You can compare up to {MAX_PLACES} places at once; you gave {len(codes)}. "
            "Remove some to see the comparison."
        )
    elif places:
        scores = list(
            Score.objects.filter(
                run=run,
                place_id__in=[p.code for p in places],
                year=year,
                reference_set=reference_set,
                level__in=ROW_LEVELS,
            )
        )
        by_cell = {(s.place_id, s.node_key): s for s in scores}
        with_scores = {s.place_id for s in scores}
        scored = [p for p in places if p.code in with_scores]
        not_scored = [p for p in places if p.code not in with_scores]
        if not_scored:
            messages.append(
                f"Not scored among English {TIERS[tier]} authorities in {year}: "
                f"{_names(not_scored)}."
                + (
                    " Try the other tier."
                    if any(_in_tier(p, _other(tier)) for p in not_scored)
                    else ""
                )
            )
        nodes = sorted(
            (n for n in node_labels(run).values() if n.level in ROW_LEVELS),
            key=lambda n: n.position,
        )
        if len(scored) >= MIN_PLACES:
            rows = [Row(n, [by_cell.get((p.code, n.key)) for p in scored]) for n in nodes]
            chart_rows = [r for r in rows if r.node.level in CHART_LEVELS]
            figure = compare_figure(
                nodes=[r.node.label for r in chart_rows],
                series=[
                    Series(
                        p.code,
                        p.name,
                        [
                            Bar(c.score, c.band, c.band_label) if c else Bar(None)
                            for c in (r.cells[i] for r in chart_rows)
                        ],
                    )
                    for i, p in enumerate(scored)
                ],
                band_colours=BAND_COLOURS,
            )
    if len(codes) < MIN_PLACES:
        messages.append(
            "Choose at least two places to compare: add codes below or start from a preset."
            if codes
            else "Add two to eight council codes below to compare them."
        )
    elif len(codes) <= MAX_PLACES and len(places) < MIN_PLACES:
        messages.append("Fewer than two of the codes are known places: add another to compare.")
    elif len(codes) <= MAX_PLACES and len(scored) < MIN_PLACES:
        messages.append(
            f"At least two of the places must be scored as {TIERS[tier]} authorities "
            "to compare them."
        )

    presets = _presets(places[0], tier, year) if places else []
    if extra:
        presets = [Preset(p.label, p.description, p.places, p.tier, chosen.key) for p in presets]
    return render(
        request,
        "explorer/compare.html",
        {
            **context,
            "notices": messages,
            "places": scored,
            "all_places": places,
            "rows": rows,
            "figure": figure,
            "year": year,
            "years": years,
            "tier": tier,
            "tiers": list(TIERS.items()),
            "tier_name": TIERS[tier],
            "presets": presets,
            "removal_links": [
                (
                    p,
                    urlencode(
                        {"places": ",".join(c for c in codes if c != p.code), "tier": tier, **extra}
                    ),
                )
                for p in places
            ],
            "max_places": MAX_PLACES,
        },
    )


def _other(tier: str) -> str:
    return Level.LOWER_TIER.value if tier == Level.UPPER_TIER else Level.UPPER_TIER.value
