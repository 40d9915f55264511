"""Plotly builders for the explorer map: plain data in, figure dict out; no Django here."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

OUT_OF_FILTER = "#cccccc"
REGION_LINE = "#252525"
# Colour-blind-safe diverging scheme, orange (worse) to blue (better), ColorBrewer-derived.
CB_COLOURS = ("#e66101", "#fdb863", "#f7f7f7", "#92c5de", "#0571b0")


@dataclass(frozen=True)
class BandStyle:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    geometry: dict[str, Any]
    score: float | None = None
    band: str = ""
    band_label: str = ""
    shown: bool = True


@dataclass(frozen=True)
class Outline:
    name: str
    geometry: dict[str, Any]


def palette(bands: Sequence[BandStyle], name: str) -> list[BandStyle]:
    """The published band colours, or the colour-blind-safe scheme (same order, same labels)."""
    if name == "cb":
        return [BandStyle(b.key, b.label, c) for b, c in zip(bands, CB_COLOURS, strict=True)]
    return list(bands)


def _collection(areas: Sequence[MapArea]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a.code,
                "properties": {"areacd": a.code},
                "geometry": a.geometry,
            }
            for a in areas
        ],
    }


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        yield from geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def _bounds(geometries: Iterable[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    lons: list[float] = []
    lats: list[float] = []
    for geometry in geometries:
        for ring in _rings(geometry):
            lons.extend(point[0] for point in ring)
            lats.extend(point[1] for point in ring)
    if not lons:
        return None
    return min(lons), max(lons), min(lats), max(lats)


def _outline_coordinates(
    outlines: Sequence[Outline],
) -> tuple[list[float | None], list[float | None]]:
    lons: list[float | None] = []
    lats: list[float | None] = []
    for outline in outlines:
        for ring in _rings(outline.geometry):
            lons.extend(point[0] for point in ring)
            lats.extend(point[1] for point in ring)
            lons.append(None)
            lats.append(None)
    return lons, lats


def _outline_trace() -> go.Scattergeo:
    return go.Scattergeo(
        mode="lines",
        line={"color": REGION_LINE, "width": 1.4},
        hoverinfo="skip",
        name="Region boundaries",
        showlegend=True,
    )


def _area_trace(areas: Sequence[MapArea], colour: str, name: str, hover: str) -> go.Choropleth:
    # The geojson is attached after plotly's validation (see score_map_figure): validating
    # and deep-copying hundreds of outlines costs most of a second.
    return go.Choropleth(
        locations=[a.code for a in areas],
        z=[1] * len(areas),
        featureidkey="properties.areacd",
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        marker_line_color="white",
        marker_line_width=0.5,
        customdata=[
            [a.code, "no score" if a.score is None else f"{a.score:.2f}", a.band_label or "—"]
            for a in areas
        ],
        text=[a.name for a in areas],
        hovertemplate=hover,
        name=name,
        showlegend=True,
    )


def score_map_figure(
    *,
    areas: Sequence[MapArea],
    bands: Sequence[BandStyle],
    outlines: Sequence[Outline] = (),
    focus: Sequence[str] = (),
    title: str = "",
) -> dict[str, Any]:
    """Councils filled by band (one legend entry per band), others grey, regions outlined.

    ``focus`` names the codes to zoom to (e.g. the selected region's councils); empty means
    every area.
    """
    fig = go.Figure()
    heavy: list[dict[str, Any]] = []
    hidden = [a for a in areas if not a.shown or not a.band]
    if hidden:
        heavy.append({"geojson": _collection(hidden)})
        fig.add_trace(
            _area_trace(
                hidden,
                OUT_OF_FILTER,
                "Not selected or no score",
                "%{text}<br>score %{customdata[1]} (%{customdata[2]})"
                "<br>outside the filters or unscored<extra></extra>",
            )
        )
    for band in bands:
        members = [a for a in areas if a.shown and a.band == band.key]
        if members:
            heavy.append({"geojson": _collection(members)})
            fig.add_trace(
                _area_trace(
                    members,
                    band.colour,
                    band.label,
                    "%{text}<br>score %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
                )
            )
    if outlines:
        lons, lats = _outline_coordinates(outlines)
        heavy.append({"lon": lons, "lat": lats})
        fig.add_trace(_outline_trace())
    wanted = set(focus)
    bounds = _bounds(a.geometry for a in areas if not wanted or a.code in wanted)
    geo: dict[str, Any] = {"visible": False, "projection": {"type": "mercator"}}
    if bounds:
        west, east, south, north = bounds
        pad_lon, pad_lat = (east - west) * 0.04 + 0.05, (north - south) * 0.04 + 0.05
        geo |= {
            "fitbounds": False,
            "lonaxis": {"range": [west - pad_lon, east + pad_lon]},
            "lataxis": {"range": [south - pad_lat, north + pad_lat]},
        }
    else:
        geo["fitbounds"] = "locations"
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        geo=geo,
        margin={"l": 0, "r": 0, "t": 36, "b": 0},
        height=640,
        legend={"orientation": "h", "y": -0.02},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    figure = fig.to_plotly_json()
    for trace, extra in zip(figure["data"], heavy, strict=True):
        trace.update(extra)
    return figure
