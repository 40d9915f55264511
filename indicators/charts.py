"""Plotly figure builders for indicators: plain data in, figure dict out; no Django here."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import plotly.graph_objects as go

PLACE_COLOUR = "#08306b"
# Comparators: colour-blind-safe hues, each also told apart by its dash pattern.
ROLE_STYLE: dict[str, dict[str, Any]] = {
    "place": {"color": PLACE_COLOUR, "width": 3, "dash": "solid"},
    # The same place from another dataset (e.g. a partnership's own figures).
    "place_other": {"color": "#6a51a3", "width": 3, "dash": "longdash"},
    "england": {"color": "#1b1b1b", "width": 2, "dash": "dash"},
    "country": {"color": "#505a5f", "width": 2, "dash": "dashdot"},
    "region": {"color": "#e6550d", "width": 2, "dash": "dot"},
    "similar": {"color": "#9ecae1", "width": 1.5, "dash": "solid"},
}
ROLE_ORDER = {"similar": 0, "region": 1, "country": 2, "england": 3, "place_other": 4, "place": 5}
PLACE_ROLES = {"place", "place_other"}
MAX_TICKS = 12


@dataclass(frozen=True)
class Point:
    """One period of a series; ``value`` None means suppressed or not available (a gap)."""

    start: date
    end: date
    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    status: str = ""

    @property
    def midpoint(self) -> date:
        return self.start + (self.end - self.start) / 2


@dataclass(frozen=True)
class Series:
    name: str
    role: str  # "place", "place_other", "england", "country", "region" or "similar"
    points: Sequence[Point] = field(default_factory=tuple)


def _number_format(decimal_places: int) -> str:
    return f",.{max(0, min(decimal_places, 6))}f"


def _hover(series: Series, unit: str, decimal_places: int, with_interval: bool) -> str:
    number = _number_format(decimal_places)
    suffix = f" {unit}" if unit and unit != "%" else unit
    text = f"<b>{series.name}</b><br>%{{customdata[0]}}: %{{y:{number}}}{suffix}"
    if with_interval:
        text += (
            f"<br>95% interval %{{customdata[1]:{number}}} to %{{customdata[2]:{number}}}{suffix}"
        )
    return text + "%{customdata[3]}<extra></extra>"


def _interval_arrays(points: Sequence[Point]) -> tuple[list[float | None], list[float | None]]:
    above: list[float | None] = []
    below: list[float | None] = []
    for p in points:
        if p.value is None or p.lower is None or p.upper is None:
            above.append(None)
            below.append(None)
        else:
            above.append(max(0.0, p.upper - p.value))
            below.append(max(0.0, p.value - p.lower))
    return above, below


def _period_ticks(series: Sequence[Series], most: int = MAX_TICKS) -> dict[str, Any]:
    """Ticks at period middles labelled as people write periods (2022/23, 2020–2022...)."""
    labels: dict[str, str] = {}
    for item in series:
        for p in item.points:
            labels.setdefault(p.midpoint.isoformat(), p.label)
    ticks = sorted(labels)
    if not ticks:
        return {}
    step = -(-len(ticks) // most)  # ceiling division: at most ``most`` ticks
    shown = ticks[::step]
    return {"tickmode": "array", "tickvals": shown, "ticktext": [labels[t] for t in shown]}


def indicator_time_series_figure(
    *,
    title: str,
    unit: str = "",
    decimal_places: int = 1,
    series: Sequence[Series],
    y_title: str = "",
) -> dict[str, Any]:
    """Each series over time, the chosen place with its 95% intervals as error bars.

    Points sit at the middle of their period so financial, academic and pooled years line up
    with calendar ones; suppressed or missing values (``value`` None) break the line.
    """
    fig = go.Figure()
    ordered = sorted(series, key=lambda s: ROLE_ORDER.get(s.role, 0))
    for item in ordered:
        points = sorted(item.points, key=lambda p: (p.start, p.end))
        if not points:
            continue
        style = ROLE_STYLE.get(item.role, ROLE_STYLE["similar"])
        is_place = item.role in PLACE_ROLES
        with_interval = is_place and any(
            p.lower is not None and p.upper is not None for p in points
        )
        error_y = None
        if with_interval:
            above, below = _interval_arrays(points)
            error_y = {
                "type": "data",
                "symmetric": False,
                "array": above,
                "arrayminus": below,
                "color": style["color"],
                "thickness": 1.5,
                "width": 4,
            }
        customdata = [
            [
                p.label,
                p.lower,
                p.upper,
                f" ({p.status})" if p.status and p.value is not None else "",
            ]
            for p in points
        ]
        fig.add_trace(
            go.Scatter(
                x=[p.midpoint.isoformat() for p in points],
                y=[p.value for p in points],
                mode="lines+markers",
                name=item.name,
                line={"color": style["color"], "width": style["width"], "dash": style["dash"]},
                marker={"size": 8 if is_place else 5, "color": style["color"]},
                connectgaps=False,
                error_y=error_y,
                customdata=customdata,
                hovertemplate=_hover(item, unit, decimal_places, with_interval),
                legendrank=1000 - ROLE_ORDER.get(item.role, 0) * 100,
            )
        )
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        height=440,
        margin={"l": 60, "r": 20, "t": 48, "b": 40},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15},
        xaxis={
            "type": "date",
            "title": {"text": "Period"},
            **_period_ticks([s for s in series if s.role in PLACE_ROLES] or series),
        },
        yaxis={
            "title": {"text": y_title or unit},
            "zeroline": False,
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="#ffffff",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#e5e5e5")
    fig.update_yaxes(showgrid=True, gridcolor="#e5e5e5")
    return fig.to_plotly_json()


# --- spine chart -------------------------------------------------------------------------

SPINE_RANGE = "#e8e8e8"
SPINE_QUARTILES = "#bdbdbd"
SPINE_OTHERS = "#737373"
SPINE_SIMILAR = "#e6550d"
QUARTER_LABELS = (
    "the best quarter",
    "the second quarter",
    "the third quarter",
    "the worst quarter",
)


@dataclass(frozen=True)
class SpineValue:
    code: str
    name: str
    value: float


@dataclass(frozen=True)
class Spine:
    """The spine figure and the numbers its text alternative reads out."""

    figure: dict[str, Any]
    value: float
    rank: int  # 1 = best (or highest, when neither direction is better)
    count: int
    quarter: str
    median: float
    lower_quartile: float
    upper_quartile: float
    oriented: bool  # False when the indicator has no better direction
    level: str = ""
    period_label: str = ""
    group_label: str = "England"

    @property
    def level_plural(self) -> str:
        text = self.level.lower()
        return text[:-1] + "ies" if text.endswith("y") else text + "s"


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (numpy's default method)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def indicator_spine(
    *,
    values: Sequence[SpineValue],
    place_code: str,
    similar_codes: Sequence[str] = (),
    polarity: str = "neutral",
    unit: str = "",
    decimal_places: int = 1,
    title: str = "",
    group_label: str = "England",
    level: str = "",
    period_label: str = "",
) -> Spine | None:
    """Every place's latest value on one line: full range, middle half (quartiles), median,
    the place highlighted and its similar areas marked. "Better" always points right: the
    axis is reversed when lower is better. None when the place has no value."""
    mine = next((v for v in values if v.code == place_code), None)
    if mine is None or len(values) < 2:
        return None
    ordered = sorted(v.value for v in values)
    median = _quantile(ordered, 0.5)
    q1, q3 = _quantile(ordered, 0.25), _quantile(ordered, 0.75)
    lower_better = polarity == "lower_better"
    oriented = polarity in {"lower_better", "higher_better"}
    if lower_better:
        rank = 1 + sum(1 for v in values if v.value < mine.value)
    else:
        rank = 1 + sum(1 for v in values if v.value > mine.value)
    quarter = QUARTER_LABELS[min(3, (rank - 1) * 4 // len(values))]
    if not oriented:
        quarter = quarter.replace("best", "highest").replace("worst", "lowest")
    number = _number_format(decimal_places)
    suffix = f" {unit}" if unit and unit != "%" else unit
    similar = set(similar_codes) - {place_code}
    others = [v for v in values if v.code != place_code and v.code not in similar]
    marked = [v for v in values if v.code in similar]

    def points(items: Sequence[SpineValue], name: str, marker: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "x": [v.value for v in items],
            "y": [0] * len(items),
            "text": [v.name for v in items],
            "customdata": [[v.code] for v in items],
            "marker": marker,
            "hovertemplate": f"%{{text}}: %{{x:{number}}}{suffix}<extra></extra>",
        }

    data = [
        points(
            others,
            "Other places",
            {"symbol": "line-ns-open", "size": 16, "color": SPINE_OTHERS, "line": {"width": 1}},
        )
    ]
    if marked:
        data.append(
            points(
                marked,
                "Similar areas (ONS)",
                {"symbol": "diamond", "size": 11, "color": SPINE_SIMILAR, "line": {"width": 1}},
            )
        )
    data.append(
        points(
            [mine],
            mine.name,
            {"symbol": "circle", "size": 16, "color": PLACE_COLOUR, "line": {"color": "#fff"}},
        )
    )
    shapes = [
        {
            "type": "rect",
            "x0": ordered[0],
            "x1": ordered[-1],
            "y0": -0.3,
            "y1": 0.3,
            "fillcolor": SPINE_RANGE,
            "line": {"width": 0},
            "layer": "below",
        },
        {
            "type": "rect",
            "x0": q1,
            "x1": q3,
            "y0": -0.3,
            "y1": 0.3,
            "fillcolor": SPINE_QUARTILES,
            "line": {"width": 0},
            "layer": "below",
        },
        {
            "type": "line",
            "x0": median,
            "x1": median,
            "y0": -0.45,
            "y1": 0.45,
            "line": {"color": "#1b1b1b", "width": 3},
        },
    ]
    direction = (
        "← worse · better →" if oriented else "lower ← · → higher (neither direction is better)"
    )
    axis_title = f"{unit}   {direction}".strip() if unit else direction
    layout = {
        "title": {
            "text": f"{title}, {period_label}" if period_label else title,
            "font": {"size": 15},
        },
        "height": 260,
        "margin": {"l": 20, "r": 20, "t": 48, "b": 60},
        "showlegend": True,
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        "hovermode": "closest",
        "xaxis": {
            "title": {"text": axis_title},
            "autorange": "reversed" if lower_better else True,
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            "zeroline": False,
        },
        "yaxis": {"visible": False, "range": [-1, 1], "fixedrange": True},
        "shapes": shapes,
        "annotations": [
            {
                "x": median,
                "y": 0.45,
                "text": f"{group_label} median {median:{number}}",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 12},
            }
        ],
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
    }
    return Spine(
        figure={"data": data, "layout": layout},
        value=mine.value,
        rank=rank,
        count=len(values),
        quarter=quarter,
        median=median,
        lower_quartile=q1,
        upper_quartile=q3,
        oriented=oriented,
        level=level,
        period_label=period_label,
        group_label=group_label,
    )
