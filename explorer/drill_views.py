"""Drill-down: a county, region or combined authority to its districts; a district to what is
known about inequality inside it. Thin views over drill selectors and the map builder."""

from dataclasses import dataclass
from statistics import fmean
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from explorer import drill_selectors as ds
from explorer.charts import BandStyle, MapArea, palette, score_map_figure
from explorer.exports import csv_response, xlsx_response
from explorer.selectors import explorer_run, node_choices
from frameworks.models import FrameworkNode, NodeLevel
from places.models import AreaType, Place
from places.selectors import place_list
from scoring.engine.bands import BANDS
from scoring.models import BAND_LABELS, Score, ScoringRun

PALETTES = (("standard", "Published band colours"), ("cb", "Colour-blind safe (orange–blue)"))
AREA_HEADERS = [
    "GSS code",
    "Name",
    "Score",
    "Band",
    "Rank in England's lower tier",
    "Of",
    "Gap to parent's own score",
    "Gap to districts' mean",
    "Least advantaged",
]
DISTRICT_HEADERS = ["Measure", "Value", "Unit", "Rank (1 = most deprived)", "Of", "Edition"]


@dataclass(frozen=True)
class Choice:
    node: FrameworkNode
    year: int
    palette: str


@dataclass(frozen=True)
class DrillRow:
    place: Place
    score: Score | None
    gap_parent: float | None
    gap_mean: float | None
    is_least: bool

    @property
    def value(self) -> float | None:
        return None if self.score is None else self.score.score

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.score.band, "") if self.score and self.value is not None else ""

    def export(self) -> list[Any]:
        s = self.score
        return [
            self.place.code,
            self.place.name,
            None if self.value is None else round(self.value, 2),
            self.band_label,
            None if s is None else s.rank,
            None if s is None else s.rank_of,
            None if self.gap_parent is None else round(self.gap_parent, 2),
            None if self.gap_mean is None else round(self.gap_mean, 2),
            self.is_least,
        ]


def _choice(request: HttpRequest, run: ScoringRun, nodes: list[FrameworkNode]) -> Choice:
    by_key = {n.key: n for n in nodes}
    node = by_key.get(request.GET.get("node", "")) or nodes[0]
    periods = sorted(int(p) for p in run.periods)
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and int(text) in periods else periods[-1]
    return Choice(node, year, "cb" if request.GET.get("palette") == "cb" else "standard")


def _node_groups(nodes: list[FrameworkNode]) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    indent = {NodeLevel.DOMAIN.value: "– ", NodeLevel.SUBDOMAIN.value: "– – "}
    for node in nodes:
        if node.level == NodeLevel.HEADLINE or not groups:
            groups.append((node.label, []))
        label = f"{node.label} (overall)" if node.level == NodeLevel.HEADLINE else node.label
        groups[-1][1].append((node.key, indent.get(str(node.level), "") + label))
    return groups


def _rows(children: list[Place], scores: dict[str, Score], own: Score | None) -> list[DrillRow]:
    """Districts best first, each with its gaps; the lowest-scoring one marked."""
    values = [s.score for s in scores.values() if s.score is not None]
    mean = fmean(values) if values else None
    lowest = min(values) if values else None
    parent = own.score if own is not None else None
    rows = []
    for child in children:
        score = scores.get(child.code)
        value = None if score is None else score.score
        rows.append(
            DrillRow(
                place=child,
                score=score,
                gap_parent=None if value is None or parent is None else value - parent,
                gap_mean=None if value is None or mean is None else value - mean,
                is_least=value is not None and value == lowest,
            )
        )
    return sorted(rows, key=lambda r: (r.value is None, -(r.value or 0), r.place.name))


def _export(request: HttpRequest, name: str, headers: list[str], table: list[list[Any]]) -> Any:
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        return csv_response(headers=headers, rows=table, filename=f"{name}.csv")
    if fmt == "xlsx":
        return xlsx_response(headers=headers, rows=table, filename=f"{name}.xlsx")
    return None


def drill_index(request: HttpRequest) -> HttpResponse:
    """Where to start: England's counties, regions and combined authorities."""
    groups = [
        ("Counties (two-tier areas)", AreaType.COUNTY),
        ("Regions", AreaType.REGION),
        ("Combined authorities", AreaType.COMBINED_AUTHORITY),
    ]
    places = list(place_list(nation="E").filter(area_type__in=[t.value for _label, t in groups]))
    return render(
        request,
        "explorer/drill_index.html",
        {"groups": [(label, [p for p in places if p.area_type == t]) for label, t in groups]},
    )


def drill(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = ds.drill_place(code=code)
    except Place.DoesNotExist:
        raise Http404(f"No place has the code {code!r}.") from None
    if not ds.is_parent(place) and not place.is_lower_tier:
        raise Http404(f"{place.name} has no districts or small areas to drill into.")
    run = explorer_run(user=request.user)
    nodes = node_choices(run) if run else []
    if run is None or not run.periods or not nodes:
        template = "drill_area" if ds.is_parent(place) else "drill_district"
        return render(request, f"explorer/{template}.html", {"place": place, "run": None})
    choice = _choice(request, run, nodes)
    common = {
        "place": place,
        "run": run,
        "choice": choice,
        "node_groups": _node_groups(nodes),
        "years": sorted(int(p) for p in run.periods),
        "palettes": PALETTES,
    }
    if ds.is_parent(place):
        return _area(request, place, run, choice, common)
    return _district(request, place, run, choice, common)


def _area(
    request: HttpRequest, place: Place, run: ScoringRun, choice: Choice, common: dict[str, Any]
) -> HttpResponse:
    children = ds.drill_children(place=place)
    codes = [c.code for c in children]
    parent_code = place.code if place.area_type == AreaType.COUNTY else ""
    scores, own = ds.drill_scores(
        run=run, node=choice.node.key, year=choice.year, codes=codes, parent=parent_code
    )
    rows = _rows(children, scores, own)
    name = f"tpi-drill-{place.code}-{choice.node.key}-{choice.year}"
    if (exported := _export(request, name, AREA_HEADERS, [r.export() for r in rows])) is not None:
        return exported
    bands = palette([BandStyle(b.key, b.label, b.colour) for b in BANDS], choice.palette)
    boundaries = ds.drill_boundaries(codes=codes, year=choice.year)
    areas = [
        MapArea(
            code=r.place.code,
            name=r.place.name,
            geometry=boundaries[r.place.code].geometry,
            score=r.value,
            band=r.score.band if r.score is not None and r.value is not None else "",
            band_label=r.band_label,
        )
        for r in rows
        if r.place.code in boundaries
    ]
    scored = [r for r in rows if r.value is not None]
    least = next((r for r in rows if r.is_least), None)
    figure = (
        score_map_figure(
            areas=areas,
            bands=bands,
            title=f"{choice.node.label}, {choice.year}: {place.name}",
        )
        if areas
        else None
    )
    return render(
        request,
        "explorer/drill_area.html",
        {
            **common,
            "rows": rows,
            "own": own if own is not None and own.score is not None else None,
            "mean": fmean(r.value for r in scored if r.value is not None) if scored else None,
            "least": least,
            "spread": (scored[0].value or 0) - (scored[-1].value or 0) if len(scored) > 1 else None,
            "children_label": ds.children_label(place),
            "bands": bands,
            "figure": figure,
            "unmapped": [r.place for r in rows if r.place.code not in boundaries],
            "export_query": _querystring(request),
        },
    )


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("format", None)
    return params.urlencode()


def _district(
    request: HttpRequest, place: Place, run: ScoringRun, choice: Choice, common: dict[str, Any]
) -> HttpResponse:
    siblings = ds.district_siblings(place=place)
    summary = ds.iod_summary(place=place, siblings=siblings)
    if request.GET.get("format") in {"csv", "xlsx"}:
        table = [
            [m.label, m.value, m.unit, m.rank, m.rank_of, f"IoD {m.period}"]
            for m in [*summary.measures, *summary.domains]
        ]
        name = f"tpi-drill-{place.code}-iod-summary"
        return _export(request, name, DISTRICT_HEADERS, table)
    scores = {s.node_key: s for s in ds.district_scores(run=run, place=place, year=choice.year)}
    return render(
        request,
        "explorer/drill_district.html",
        {
            **common,
            "summary": summary,
            "reading": _reading(place, summary),
            "node_score": scores.get(choice.node.key),
            "county": place.upper_tier
            if place.upper_tier_id and place.upper_tier_id != place.code
            else None,
            "export_query": _querystring(request),
        },
    )


def _reading(place: Place, summary: ds.IodSummary) -> list[str]:
    """Plain sentences read from the measures themselves (no judgement beyond the data)."""
    by_slug = {m.slug: m for m in summary.measures}
    sentences = []
    share = by_slug.get("iod2025-imd-proportion-most-deprived-10pc")
    if share is not None and share.value is not None:
        if share.value == 0:
            sentences.append(
                f"None of {place.name}'s small areas is among the 10% most deprived in England."
            )
        else:
            sentences.append(
                f"{share.value:.1%} of {place.name}'s small areas are among the 10% most "
                f"deprived in England (rank {share.rank} of {share.rank_of} councils)."
            )
    average_score = by_slug.get("iod2025-imd-average-score")
    average_rank = by_slug.get("iod2025-imd-average-rank")
    concentration = by_slug.get("iod2025-imd-local-concentration")
    if average_rank and average_rank.rank and concentration and concentration.rank:
        gap = average_rank.rank - concentration.rank
        if gap >= 20:
            sentences.append(
                f"Its most deprived neighbourhoods rank {concentration.rank} of "
                f"{concentration.rank_of} on local concentration, well above its rank "
                f"{average_rank.rank} on average rank: deprivation is concentrated in pockets "
                "that the council-wide average hides."
            )
        elif gap <= -20:
            sentences.append(
                f"Its most deprived neighbourhoods rank {concentration.rank} on local "
                f"concentration, below its rank {average_rank.rank} on average rank: "
                "deprivation is spread rather than concentrated in a few pockets."
            )
        else:
            sentences.append(
                f"Its ranks on local concentration ({concentration.rank}) and average rank "
                f"({average_rank.rank}) are close: its worst-off neighbourhoods are about as "
                "deprived, relative to England, as the council as a whole."
            )
    if average_score and average_score.rank and average_rank and average_rank.rank:
        sentences.append(
            f"Rank of average score {average_score.rank} against rank of average rank "
            f"{average_rank.rank} (1 = most deprived): when the first is much nearer 1, "
            "a few very deprived areas pull the average score up."
        )
    return sentences
