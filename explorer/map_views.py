"""The choropleth map and the rankings table: thin views over selectors and chart builders."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from explorer import selectors
from explorer.charts import BandStyle, MapArea, Outline, palette, score_map_figure
from explorer.exports import csv_response, xlsx_response
from frameworks.models import FrameworkNode, NodeLevel
from places.models import Place, RuralUrbanClass
from scoring.engine.bands import BANDS
from scoring.models import BAND_LABELS, Score, ScoringRun

PALETTES = (("standard", "Published band colours"), ("cb", "Colour-blind safe (orange–blue)"))
SORTS = {
    "rank": "Rank, best first",
    "-rank": "Rank, worst first",
    "name": "Name, A–Z",
    "-name": "Name, Z–A",
    "score": "Score, lowest first",
    "-score": "Score, highest first",
}
HIGHLIGHT = 10
EXPORT_HEADERS = [
    "Rank",
    "Of",
    "GSS code",
    "Name",
    "Region",
    "Score",
    "Band",
    "Top or bottom 10",
]


@dataclass(frozen=True)
class Query:
    node: FrameworkNode
    reference_set: str
    year: int
    filters: selectors.Filters
    palette: str
    sort: str


@dataclass(frozen=True)
class Row:
    score: Score
    place: Place
    marker: str

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.score.band, "")

    def export(self) -> list[Any]:
        s = self.score
        return [
            s.rank,
            s.rank_of,
            self.place.code,
            self.place.name,
            self.place.region.name if self.place.region else "",
            None if s.score is None else round(s.score, 2),
            self.band_label,
            self.marker,
        ]


def _parse(
    params: QueryDict, *, run: ScoringRun, nodes: list[FrameworkNode], regions: list[Place]
) -> Query:
    by_key = {n.key: n for n in nodes}
    node = by_key.get(params.get("node", "")) or nodes[0]
    reference_sets = dict(selectors.REFERENCE_SETS)
    reference_set = params.get("reference_set", "")
    if reference_set not in reference_sets:
        reference_set = selectors.REFERENCE_SETS[0][0]
    periods = sorted(int(p) for p in run.periods)
    year_text = params.get("year", "")
    year = int(year_text) if year_text.isdigit() and int(year_text) in periods else periods[-1]
    region = params.get("region", "")
    ruc = params.get("rural_urban_class", "")
    cluster = params.get("cluster", "").upper()
    filters = selectors.Filters(
        region=region if region in {r.code for r in regions} else "",
        rural_urban_class=ruc if ruc in RuralUrbanClass.values else "",
        cluster=cluster if cluster in selectors.CLUSTERS else "",
        core_cities=params.get("core_cities", "") == "1",
    )
    sort = params.get("sort", "rank")
    return Query(
        node=node,
        reference_set=reference_set,
        year=year,
        filters=filters,
        palette="cb" if params.get("palette") == "cb" else "standard",
        sort=sort if sort in SORTS else "rank",
    )


def _node_groups(nodes: list[FrameworkNode]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Nodes grouped under their headline element for the select, indented by level."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for node in nodes:
        if node.level == NodeLevel.HEADLINE or not groups:
            groups.append((node.label, []))
        prefix: dict[str, str] = {"domain": "– ", "subdomain": "– – "}
        label = f"{node.label} (overall)" if node.level == NodeLevel.HEADLINE else node.label
        groups[-1][1].append((node.key, prefix.get(str(node.level), "") + label))
    return groups


def _marker(score: Score) -> str:
    if score.rank is None or score.rank_of is None:
        return ""
    if score.rank <= HIGHLIGHT:
        return "Top 10"
    if score.rank > score.rank_of - HIGHLIGHT:
        return "Bottom 10"
    return ""


def _rows(scores: list[Score], filters: selectors.Filters) -> list[Row]:
    return [Row(s, s.place, _marker(s)) for s in scores if filters.matches(s.place)]


def _sorted(rows: list[Row], sort: str) -> list[Row]:
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=lambda r: (r.place.name.lower(), r.place.code), reverse=reverse)
    if key == "score":
        scored = [r for r in rows if r.score.score is not None]
        unscored = [r for r in rows if r.score.score is None]
        ordered = sorted(scored, key=lambda r: (r.score.score, r.place.code), reverse=reverse)
        return ordered + unscored
    ranked = [r for r in rows if r.score.rank is not None]
    unranked = [r for r in rows if r.score.rank is None]
    ordered = sorted(ranked, key=lambda r: (r.score.rank, r.place.code), reverse=reverse)
    return ordered + unranked


def _export(
    request: HttpRequest, query: Query, rows: list[Row], page: str, chosen: selectors.Chosen
) -> HttpResponse | None:
    fmt = request.GET.get("format", "")
    if fmt not in {"csv", "xlsx"}:
        return None
    prefix = "tpi" if chosen.is_default else chosen.key
    filename = f"{prefix}-{page}-{query.node.key}-{query.reference_set}-{query.year}.{fmt}"
    table = [row.export() for row in rows]
    if fmt == "csv":
        return csv_response(headers=EXPORT_HEADERS, rows=table, filename=filename)
    return xlsx_response(
        headers=EXPORT_HEADERS, rows=table, filename=filename, sheet_title=query.node.label
    )


def _querystring(params: QueryDict, *drop: str) -> str:
    copy = params.copy()
    for name in drop:
        copy.pop(name, None)
    return copy.urlencode()


def _common(
    request: HttpRequest,
    query: Query,
    nodes: list[FrameworkNode],
    regions: list[Place],
    run: ScoringRun,
    chosen: selectors.Chosen,
) -> dict[str, Any]:
    bands = palette([BandStyle(b.key, b.label, b.colour) for b in BANDS], query.palette)
    return {
        "run": run,
        **_framework_context(chosen),
        "query": query,
        "filters": query.filters,
        "node_groups": _node_groups(nodes),
        "reference_sets": selectors.REFERENCE_SETS,
        "reference_set_label": dict(selectors.REFERENCE_SETS)[query.reference_set],
        "years": sorted(int(p) for p in run.periods),
        "regions": regions,
        "rural_urban_classes": RuralUrbanClass.choices,
        "clusters": selectors.CLUSTERS,
        "palettes": PALETTES,
        "bands": bands,
        "export_query": _querystring(request.GET, "format"),
    }


def _framework_context(chosen: selectors.Chosen) -> dict[str, Any]:
    """The framework shown; a bespoke one is named and carried by the filter form."""
    return {
        "framework_key": "" if chosen.is_default else chosen.key,
        "framework_name": "" if chosen.is_default else chosen.name,
    }


def _no_run(request: HttpRequest, template: str, chosen: selectors.Chosen) -> HttpResponse:
    return render(request, template, {"run": None, **_framework_context(chosen)})


def _chosen(request: HttpRequest) -> selectors.Chosen:
    """``?framework=`` (default the index): 404 unless the person may see it."""
    return selectors.framework_choose(key=request.GET.get("framework", ""), user=request.user)


def score_map(request: HttpRequest) -> HttpResponse:
    chosen = _chosen(request)
    run = chosen.run
    nodes = selectors.node_choices(run) if run else []
    if run is None or not run.periods or not nodes:
        return _no_run(request, "explorer/map.html", chosen)
    regions = selectors.region_choices()
    query = _parse(request.GET, run=run, nodes=nodes, regions=regions)
    scores = selectors.node_scores(
        run=run, node=query.node.key, year=query.year, reference_set=query.reference_set
    )
    rows = _rows(scores, query.filters)
    if (exported := _export(request, query, rows, "map", chosen)) is not None:
        return exported
    context = _common(request, query, nodes, regions, run, chosen)
    shown = {r.place.code for r in rows}
    boundaries = selectors.council_boundaries(codes=[s.place_id for s in scores], year=query.year)
    areas = [
        MapArea(
            code=s.place_id,
            name=s.place.name,
            geometry=boundaries[s.place_id].geometry,
            score=s.score,
            band=s.band if s.score is not None else "",
            band_label=BAND_LABELS.get(s.band, ""),
            shown=s.place_id in shown,
        )
        for s in scores
        if s.place_id in boundaries
    ]
    region_shapes = selectors.region_boundaries(regions=regions, year=query.year)
    outlines = [
        Outline(r.name, region_shapes[r.code].geometry) for r in regions if r.code in region_shapes
    ]
    focus = (
        [s.place_id for s in scores if s.place.region_id == query.filters.region]
        if query.filters.region
        else []
    )
    context["figure"] = score_map_figure(
        areas=areas,
        bands=context["bands"],
        outlines=outlines,
        focus=focus,
        title=f"{query.node.label}, {query.year}: {context['reference_set_label']}",
    )
    context["rows"] = rows
    context["unmapped"] = [s.place for s in scores if s.place_id not in boundaries]
    return render(request, "explorer/map.html", context)


def rankings(request: HttpRequest) -> HttpResponse:
    chosen = _chosen(request)
    run = chosen.run
    nodes = selectors.node_choices(run) if run else []
    if run is None or not run.periods or not nodes:
        return _no_run(request, "explorer/rankings.html", chosen)
    regions = selectors.region_choices()
    query = _parse(request.GET, run=run, nodes=nodes, regions=regions)
    scores = selectors.node_scores(
        run=run, node=query.node.key, year=query.year, reference_set=query.reference_set
    )
    rows = _sorted(_rows([s for s in scores if s.score is not None], query.filters), query.sort)
    if (exported := _export(request, query, rows, "rankings", chosen)) is not None:
        return exported
    context = _common(request, query, nodes, regions, run, chosen)
    context["rows"] = rows
    context["total"] = sum(1 for s in scores if s.score is not None)
    context["sort_query"] = _querystring(request.GET, "format", "sort")
    context["sorts"] = SORTS
    return render(request, "explorer/rankings.html", context)
