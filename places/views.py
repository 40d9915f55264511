"""HTML pages for places: thin, they call selectors and chart builders."""

from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import json_script

from explorer.exports import csv_response, xlsx_response
from places import selectors
from places.charts import Shape, place_location_figure, similar_areas_figure
from places.models import AreaType, Level, NeighbourKind, Place, RuralUrbanClass, SourceLoad
from places.services import GEOGRAPHY_SOURCE
from scoring.charts import Series, score_trend_figure
from scoring.selectors import (
    DEFAULT_FRAMEWORK,
    framework_visible,
    place_scorecard_detail,
    scorecard_export_rows,
)
from scoring.summary import DomainResult, HiddenWeakness, place_summary


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = selectors.place_search(query=query) if query else []
    if query and len(results) == 1:
        return redirect("places:detail", code=results[0].code)
    regions = selectors.place_list(level=Level.REGION)
    return render(
        request,
        "places/home.html",
        {"query": query, "results": results, "regions": regions, "searched": bool(query)},
    )


def place_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "level": request.GET.get("level", Level.UPPER_TIER.value),
        "region": request.GET.get("region", ""),
        "rural_urban_class": request.GET.get("rural_urban_class", ""),
        "nation": request.GET.get("nation", ""),
        "query": request.GET.get("q", ""),
    }
    if filters["level"] and filters["level"] not in Level.values:
        filters["level"] = ""
    places = selectors.place_list(
        level=filters["level"],
        region=filters["region"],
        rural_urban_class=filters["rural_urban_class"],
        nation=filters["nation"],
        query=filters["query"],
    )
    page = Paginator(places, 100).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "places/place_list.html",
        {
            "page": page,
            "filters": filters,
            "querystring": params.urlencode(),
            "levels": selectors.level_choices(),
            "regions": selectors.place_list(level=Level.REGION),
            "rural_urban_classes": RuralUrbanClass.choices,
            "nations": [
                ("E", "England"),
                ("W", "Wales"),
                ("S", "Scotland"),
                ("N", "Northern Ireland"),
            ],
        },
    )


def _shape(place: Place, boundaries: dict) -> Shape | None:
    boundary = boundaries.get(place.code)
    return Shape(place.code, place.name, boundary.geometry) if boundary else None


def boundaries_shape(code: str, boundaries: dict) -> Shape | None:
    boundary = boundaries.get(code)
    return Shape(code, code, boundary.geometry) if boundary else None


def _framework(request: HttpRequest) -> tuple[str, str]:
    """(key, name) of ``?framework=`` (default the index); 404 unless the person may see it,
    with one message for unknown and private frameworks alike."""
    key = request.GET.get("framework", "").strip() or DEFAULT_FRAMEWORK
    if key == DEFAULT_FRAMEWORK:
        return key, ""
    framework = framework_visible(key=key, user=request.user)
    if framework is None:
        raise Http404(f"No framework {key!r}.")
    return key, framework.name


def _scorecard(place: Place, framework: str, user: Any) -> dict[str, Any] | None:
    if place.nation != "E" or not (place.is_upper_tier or place.is_lower_tier):
        return None
    return place_scorecard_detail(
        place_code=place.code, is_upper_tier=place.is_upper_tier, framework=framework, user=user
    )


def _trend_figure(place: Place, card: dict[str, Any] | None) -> dict[str, Any] | None:
    if card is None or len(card["years"]) < 2:
        return None
    series = []
    for line in card["lines"]:
        if line["level"] != "headline":
            continue
        by_year = line["by_year"]
        series.append(
            Series(
                line["node"].label if line["node"] else line["key"],
                [by_year.get(y) for y in card["years"]],
            )
        )
    if not series:
        return None
    return score_trend_figure(
        years=card["years"], series=series, title=f"{place.name}: headline scores by year"
    )


def _domain_label(domain: dict[str, Any]) -> str:
    label = domain["node"].label if domain["node"] else domain["key"]
    headline = domain.get("headline")
    if headline is not None and headline.key == "equality" and "equality" not in label.lower():
        return f"{label} equality"
    return str(label)


def _summary(place: Place, card: dict[str, Any] | None) -> list[str]:
    if card is None:
        return []
    domains = [
        DomainResult(
            label=_domain_label(d),
            score=d["score"].score,
            band_label=d["score"].band_label,
            change=d["change"],
        )
        for d in card["domains"]
    ]
    labels = {
        slot["node"].key: slot["node"].label
        for d in card["domains"]
        for g in d["groups"]
        for slot in g["slots"]
    }
    hidden = [
        HiddenWeakness(indicator=labels.get(f.slot_key, f.slot_key), hidden_by=f.hidden_by)
        for f in card["flags"]
    ]
    return place_summary(
        place=place.name,
        year=card["year"],
        first_year=card["first_year"],
        domains=domains,
        hidden=hidden,
        indicators_with_data=card["slots_with_data"],
        indicators_expected=card["slots_total"],
        peer_label=f"English {card['tier_label']}",
    )


FIGURE_CACHE_SECONDS = 24 * 3600


def _place_figures(
    place: Place,
    neighbours: list[Place],
    kind: str,
    context_places: list[Place],
    context_label: str,
    countries: list[str],
) -> tuple[str | None, str | None]:
    """The two maps of a place page, as ready-to-embed JSON script elements."""
    codes = (
        [place.code, *countries] + [p.code for p in context_places] + [p.code for p in neighbours]
    )
    boundaries = selectors.boundaries_for(codes=codes)
    own_shape = _shape(place, boundaries)
    if not own_shape:
        return None, None
    context_shapes = [
        s for p in context_places if p.code != place.code if (s := _shape(p, boundaries))
    ]
    location = place_location_figure(
        place=own_shape, context=context_shapes, context_label=context_label or place.name
    )
    similar = None
    if neighbours:
        pairs = [
            (s, rank) for rank, p in enumerate(neighbours, start=1) if (s := _shape(p, boundaries))
        ]
        similar = similar_areas_figure(
            place=own_shape,
            neighbours=[s for s, _ in pairs],
            ranks=[r for _, r in pairs],
            kind_label=NeighbourKind(kind).label,
            background=[s for code in countries if (s := boundaries_shape(code, boundaries))],
        )
    return (
        str(json_script(location, "location-figure-data")),
        str(json_script(similar, "similar-figure-data")) if similar else None,
    )


def place_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = selectors.place_get(code=code)
    except Place.DoesNotExist:
        raise Http404(f"No place has the code {code!r}.") from None
    if code != place.code:
        return redirect("places:detail", code=place.code)
    framework, framework_name = _framework(request)
    scorecard = _scorecard(place, framework, request.user)
    export = request.GET.get("format", "")
    if export in ("csv", "xlsx"):
        if scorecard is None:
            raise Http404(
                f"{place.name} has no {framework_name or 'Thriving Places Index'} scores."
            )
        headers, rows = scorecard_export_rows(scorecard)
        prefix = "tpi" if framework == DEFAULT_FRAMEWORK else framework
        filename = f"{prefix}-{place.code}-{scorecard['year']}.{export}"
        if export == "csv":
            return csv_response(headers=headers, rows=rows, filename=filename)
        return xlsx_response(
            headers=headers, rows=rows, filename=filename, sheet_title=f"{place.code} scorecard"
        )
    hierarchy = selectors.place_hierarchy(place=place)
    similar = selectors.place_similar_areas(place=place)
    retired_by, created_by = selectors.code_changes_for(code=place.code)
    successors = selectors.code_successors(code=place.code) if place.end_year else []

    kind = request.GET.get("similar", NeighbourKind.GLOBAL.value)
    if kind not in NeighbourKind.values:
        kind = NeighbourKind.GLOBAL.value
    neighbours = similar.get(kind, [])

    context_places: list[Place] = []
    context_label = ""
    if place.region_id and place.area_type != AreaType.REGION:
        context_places = list(
            selectors.place_list(
                region=place.region_id,
                level=Level.LOWER_TIER if place.is_lower_tier else Level.UPPER_TIER,
            )
        )
        context_label = place.region.name if place.region else ""
    elif place.area_type == AreaType.REGION:
        context_places = list(selectors.place_list(level=Level.REGION))
        context_label = "England"

    countries = sorted({p.country_id for p in [place, *neighbours] if p.country_id})
    # The outlines only change when the geography is reloaded: cache the rendered figure
    # scripts per place and kind, keyed by the loaded geography's checksum.
    geography = SourceLoad.objects.filter(source=GEOGRAPHY_SOURCE).values_list(
        "checksum", flat=True
    )
    cache_key = f"place-figures:{next(iter(geography), '')[:16]}:{place.code}:{kind}"
    figures = cache.get(cache_key)
    if figures is None:
        figures = _place_figures(place, neighbours, kind, context_places, context_label, countries)
        cache.set(cache_key, figures, FIGURE_CACHE_SECONDS)
    location_figure, similar_figure = figures
    return render(
        request,
        "places/place_detail.html",
        {
            "scorecard": scorecard,
            "framework_key": "" if framework == DEFAULT_FRAMEWORK else framework,
            "framework_name": framework_name,
            "place": place,
            "hierarchy": hierarchy,
            "similar": similar,
            "similar_kind": kind,
            "similar_kinds": NeighbourKind.choices,
            "neighbours": neighbours,
            "retired_by": retired_by,
            "created_by": created_by,
            "successors": successors,
            "location_figure": location_figure,
            "similar_figure": similar_figure,
            "trend_figure": _trend_figure(place, scorecard),
            "summary": _summary(place, scorecard),
        },
    )
