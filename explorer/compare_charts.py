"""Plotly builder for comparing places side by side: plain data in, figure dict out; no Django."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

MIDPOINT = 5.0
NO_BAND = "#bdbdbd"
OUTLINE = "#252525"
# Each place keeps one fill pattern, so places are told apart without relying on colour
# (the colour of a bar is its band).
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")


@dataclass(frozen=True)
class Bar:
    score: float | None
    band: str = ""
    band_label: str = ""


@dataclass(frozen=True)
class Series:
    """One place: a bar per node, in the order of the figure's node labels."""

    code: str
    name: str
    bars: Sequence[Bar]


def compare_figure(
    *,
    nodes: Sequence[str],
    series: Sequence[Series],
    band_colours: Mapping[str, str],
    title: str = "",
) -> dict[str, Any]:
    """Grouped horizontal bars: a group per node (top to bottom), a bar per place.

    Bars take their band's colour, carry their score as text, and a dashed line marks 5
    (the average of the reference set).
    """
    fig = go.Figure()
    for index, place in enumerate(series):
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=f"{place.name} ({place.code})",
                y=list(nodes),
                x=[bar.score for bar in place.bars],
                text=["no data" if bar.score is None else f"{bar.score:.2f}" for bar in place.bars],
                textposition="outside",
                textfont={"size": 10},
                cliponaxis=False,
                marker={
                    "color": [band_colours.get(bar.band, NO_BAND) for bar in place.bars],
                    "line": {"color": OUTLINE, "width": 0.8},
                    "pattern": {
                        "shape": PATTERNS[index % len(PATTERNS)],
                        "fgcolor": OUTLINE,
                        "size": 6,
                    },
                },
                customdata=[
                    [place.name, place.code, bar.band_label or "no band"] for bar in place.bars
                ],
                hovertemplate=(
                    "%{customdata[0]} (%{customdata[1]})<br>%{y}: %{x:.2f}"
                    "<br>%{customdata[2]}<extra></extra>"
                ),
            )
        )
    height = max(360, 120 + len(nodes) * (12 * max(len(series), 1) + 18))
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        height=height,
        margin={"l": 10, "r": 40, "t": 48 if title else 16, "b": 40},
        xaxis={"range": [0, 10.8], "title": {"text": "Score (0–10; 5 is the average)"}},
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": MIDPOINT,
                "x1": MIDPOINT,
                "y0": 0,
                "y1": 1,
                "line": {"color": OUTLINE, "width": 1.5, "dash": "dash"},
            }
        ],
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig.to_plotly_json()
