"""Plotly figure builders for places: plain data in, figure dict out; no Django here."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

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


def place_location_figure(
    *, place: Shape, context: Sequence[Shape], context_label: str
) -> dict[str, Any]:
    """The place filled dark among its neighbours in the region (light grey)."""
    fig = go.Figure()
    if context:
        fig.add_trace(
            go.Choropleth(
                geojson=_collection(context),
                locations=[s.code for s in context],
                z=[0] * len(context),
                featureidkey="properties.areacd",
                colorscale=[[0, CONTEXT], [1, CONTEXT]],
                showscale=False,
                marker_line_color="white",
                marker_line_width=0.8,
                customdata=[[s.code] for s in context],
                text=[s.name for s in context],
                hovertemplate="%{text} (%{customdata[0]})<extra></extra>",
                name=context_label,
                showlegend=True,
            )
        )
    fig.add_trace(
        go.Choropleth(
            geojson=_collection([place]),
            locations=[place.code],
            z=[1],
            featureidkey="properties.areacd",
            colorscale=[[0, HIGHLIGHT], [1, HIGHLIGHT]],
            showscale=False,
            marker_line_color=OUTLINE,
            marker_line_width=1.2,
            customdata=[[place.code]],
            text=[place.name],
            hovertemplate="%{text} (%{customdata[0]})<extra></extra>",
            name=place.name,
            showlegend=True,
        )
    )
    fig.update_layout(**_geo_layout(f"{place.name} in {context_label}"))
    return fig.to_plotly_json()


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
    fig = go.Figure()
    if background:
        fig.add_trace(
            go.Choropleth(
                geojson=_collection(background),
                locations=[s.code for s in background],
                z=[0] * len(background),
                featureidkey="properties.areacd",
                colorscale=[[0, "#f0f0f0"], [1, "#f0f0f0"]],
                showscale=False,
                marker_line_color="#bdbdbd",
                marker_line_width=0.5,
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if neighbours:
        top = max(ranks)
        fig.add_trace(
            go.Choropleth(
                geojson=_collection(neighbours),
                locations=[s.code for s in neighbours],
                z=[top + 1 - r for r in ranks],
                zmin=1,
                zmax=top,
                featureidkey="properties.areacd",
                colorscale=SIMILARITY_SCALE,
                showscale=False,
                marker_line_color=OUTLINE,
                marker_line_width=0.5,
                customdata=[[s.code, r] for s, r in zip(neighbours, ranks, strict=True)],
                text=[s.name for s in neighbours],
                hovertemplate=(
                    "%{text} (%{customdata[0]})<br>similarity rank %{customdata[1]}<extra></extra>"
                ),
                name=f"Similar areas ({kind_label}), darker = more similar",
                showlegend=True,
            )
        )
    fig.add_trace(
        go.Choropleth(
            geojson=_collection([place]),
            locations=[place.code],
            z=[1],
            featureidkey="properties.areacd",
            colorscale=[[0, "#e6550d"], [1, "#e6550d"]],
            showscale=False,
            marker_line_color=OUTLINE,
            marker_line_width=1.2,
            customdata=[[place.code, 0]],
            text=[place.name],
            hovertemplate="%{text} (%{customdata[0]})<extra></extra>",
            name=place.name,
            showlegend=True,
        )
    )
    fig.update_layout(**_geo_layout(f"Areas most similar to {place.name} ({kind_label})"))
    return fig.to_plotly_json()
