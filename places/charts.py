"""Plotly figure builders for places: plain data in, figure dict out; no Django here."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

HIGHLIGHT = "#08306b"
CONTEXT = "#d9d9d9"
OUTLINE = "#525252"
# Sequential blues, light (less similar) to dark (most similar): colour-blind safe.
SIMILARITY_SCALE = [[0.0, "#c6dbef"], [1.0, "#2171b5"]]


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    geometry: dict[str, Any]


def _collection(shapes: Sequence[Shape]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": s.code,
                "properties": {"areacd": s.code},
                "geometry": s.geometry,
            }
            for s in shapes
        ],
    }


def _geo_layout(title: str) -> dict[str, Any]:
    return {
        "title": {"text": title, "font": {"size": 15}},
        "geo": {"visible": False, "fitbounds": "locations", "projection": {"type": "mercator"}},
        "margin": {"l": 0, "r": 0, "t": 36, "b": 0},
        "height": 420,
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.02},
        "paper_bgcolor": "rgba(0,0,0,0)",
    }


def _choropleth(
    shapes: Sequence[Shape],
    *,
    z: Sequence[float],
    colorscale: list[list[Any]],
    line_colour: str,
    line_width: float,
    name: str | None,
    customdata: list[list[Any]] | None = None,
    hovertemplate: str | None = None,
    zmin: float | None = None,
    zmax: float | None = None,
) -> dict[str, Any]:
    """A choropleth trace as a plain dict: plotly.js reads it as is, and skipping the
    plotly.py object layer (which validates every coordinate) makes pages several times
    faster to build."""
    trace: dict[str, Any] = {
        "type": "choropleth",
        "geojson": _collection(shapes),
        "locations": [s.code for s in shapes],
        "z": list(z),
        "featureidkey": "properties.areacd",
        "colorscale": colorscale,
        "showscale": False,
        "marker": {"line": {"color": line_colour, "width": line_width}},
        "text": [s.name for s in shapes],
    }
    if name is None:
        trace.update({"hoverinfo": "skip", "showlegend": False})
    else:
        trace.update({"name": name, "showlegend": True, "hovertemplate": hovertemplate})
    if customdata is not None:
        trace["customdata"] = customdata
    if zmin is not None:
        trace.update({"zmin": zmin, "zmax": zmax})
    return trace


def place_location_figure(
    *, place: Shape, context: Sequence[Shape], context_label: str
) -> dict[str, Any]:
    """The place filled dark among its neighbours in the region (light grey)."""
    hover = "%{text} (%{customdata[0]})<extra></extra>"
    data = []
    if context:
        data.append(
            _choropleth(
                context,
                z=[0] * len(context),
                colorscale=[[0, CONTEXT], [1, CONTEXT]],
                line_colour="white",
                line_width=0.8,
                name=context_label,
                customdata=[[s.code] for s in context],
                hovertemplate=hover,
            )
        )
    data.append(
        _choropleth(
            [place],
            z=[1],
            colorscale=[[0, HIGHLIGHT], [1, HIGHLIGHT]],
            line_colour=OUTLINE,
            line_width=1.2,
            name=place.name,
            customdata=[[place.code]],
            hovertemplate=hover,
        )
    )
    return {"data": data, "layout": _geo_layout(f"{place.name} in {context_label}")}


def similar_areas_figure(
    *,
    place: Shape,
    neighbours: Sequence[Shape],
    ranks: Sequence[int],
    kind_label: str,
    background: Sequence[Shape] = (),
) -> dict[str, Any]:
    """The place and its ONS similar areas, shaded by rank (1 = most similar, darkest).

    ``background`` (the countries involved) is drawn first, pale, so the areas have context.
    """
    data = []
    if background:
        data.append(
            _choropleth(
                background,
                z=[0] * len(background),
                colorscale=[[0, "#f0f0f0"], [1, "#f0f0f0"]],
                line_colour="#bdbdbd",
                line_width=0.5,
                name=None,
            )
        )
    if neighbours:
        top = max(ranks)
        data.append(
            _choropleth(
                neighbours,
                z=[top + 1 - r for r in ranks],
                zmin=1,
                zmax=top,
                colorscale=SIMILARITY_SCALE,
                line_colour=OUTLINE,
                line_width=0.5,
                name=f"Similar areas ({kind_label}), darker = more similar",
                customdata=[[s.code, r] for s, r in zip(neighbours, ranks, strict=True)],
                hovertemplate=(
                    "%{text} (%{customdata[0]})<br>similarity rank %{customdata[1]}<extra></extra>"
                ),
            )
        )
    data.append(
        _choropleth(
            [place],
            z=[1],
            colorscale=[[0, "#e6550d"], [1, "#e6550d"]],
            line_colour=OUTLINE,
            line_width=1.2,
            name=place.name,
            customdata=[[place.code, 0]],
            hovertemplate="%{text} (%{customdata[0]})<extra></extra>",
        )
    )
    return {
        "data": data,
        "layout": _geo_layout(f"Areas most similar to {place.name} ({kind_label})"),
    }
