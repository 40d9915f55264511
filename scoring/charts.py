"""Plotly figure builders for scores: plain data in, figure dict out; no Django here."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scoring.engine.bands import BANDS

# Line colours for up to six series: Okabe-Ito, colour-blind safe.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "star")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def score_trend_figure(
    *, years: Sequence[int], series: Sequence[Series], title: str
) -> dict[str, Any]:
    """Scores over the years, one line with markers per series, on 0-10 with the colour
    bands as light labelled background shapes and a dashed line at 5 (the average)."""
    # Plain dicts, as plotly.js reads them: building go.Figure objects validated every
    # property and embedded plotly.py's default template, a third of the scorecard's time.
    data = [
        {
            "type": "scatter",
            "x": list(years),
            "y": list(item.values),
            "mode": "lines+markers",
            "name": item.label,
            "line": {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)], "width": 2.5},
            "marker": {"symbol": MARKERS[index % len(MARKERS)], "size": 8},
            "hovertemplate": f"{item.label} %{{x}}: %{{y:.2f}}<extra></extra>",
            "connectgaps": False,
        }
        for index, item in enumerate(series)
    ]
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for index, band in enumerate(BANDS):
        low = max(0.0, band.lower)
        high = BANDS[index + 1].lower if index + 1 < len(BANDS) else 10.0
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": low,
                "y1": high,
                "fillcolor": band.colour,
                "opacity": 0.15,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "yref": "y",
                "x": 1.0,
                "y": (low + high) / 2,
                "xanchor": "left",
                "text": band.label,
                "showarrow": False,
                "font": {"size": 10, "color": "#444"},
            }
        )
    shapes.append(
        {
            "type": "line",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": 5,
            "y1": 5,
            "line": {"color": "#333", "width": 1.5, "dash": "dash"},
        }
    )
    layout = {
        "title": {"text": title, "font": {"size": 15}},
        "xaxis": {"title": {"text": "Year"}, "tickmode": "array", "tickvals": list(years)},
        "yaxis": {"title": {"text": "Score (0–10, 5 = average)"}, "range": [0, 10]},
        "shapes": shapes,
        "annotations": annotations,
        "margin": {"l": 56, "r": 130, "t": 40, "b": 48},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "white",
    }
    return {"data": data, "layout": layout}
