"""Equality gap measures derived from two real indicators (pure pandas, no Django).

A gap definition (see ``frameworks/definitions/equality_gaps.json``) names two input
indicators, an operation and how their periods are matched:

* ``difference``: ``inputs[0] - inputs[1]`` (sign kept: a negative gap means the first
  group is better off than the second and scores as better, since gaps are lower_better);
* ``absolute_difference``: ``|inputs[0] - inputs[1]|`` (a gap in either direction counts);
* ``align = "same_period"`` (default): same place, identical ``period_start`` and
  ``period_end``;
* ``align = "period_end_year"``: same place, periods ending in the same calendar year
  (e.g. a financial year ending 31 March 2024 with the academic year ending July 2024);
  the output carries the period of the input named in ``period_from`` (default the first).

A gap exists only where both inputs have a value; ``keep_incomplete=True`` keeps the other
rows with a missing value so coverage can be reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import pandas as pd

OBSERVATION_COLUMNS = ("place", "period_start", "period_end", "indicator", "value")
GAP_COLUMNS = ["place", "period_start", "period_end", "gap_slug", "value", "inputs_present"]
OPERATIONS = frozenset({"difference", "absolute_difference"})
ALIGNMENTS = frozenset({"same_period", "period_end_year"})


def _gap_list(
    definitions: Mapping[str, Any] | Iterable[Mapping[str, Any]],
) -> list[Mapping[str, Any]]:
    if isinstance(definitions, Mapping):
        if "gaps" in definitions:
            return list(definitions["gaps"])
        return [definitions]
    return list(definitions)


def _check(gap: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    slug = gap.get("slug")
    inputs = gap.get("inputs")
    if not slug or not isinstance(inputs, list | tuple) or len(inputs) != 2:
        raise ValueError(f"Gap {slug!r} needs a slug and exactly two inputs.")
    first, second = str(inputs[0]), str(inputs[1])
    if first == second:
        raise ValueError(f"Gap {slug!r} compares {first!r} with itself.")
    operation = gap.get("operation", "difference")
    if operation not in OPERATIONS:
        raise ValueError(f"Gap {slug!r}: unknown operation {operation!r}.")
    align = gap.get("align", "same_period")
    if align not in ALIGNMENTS:
        raise ValueError(f"Gap {slug!r}: unknown alignment {align!r}.")
    period_from = gap.get("period_from", first)
    if period_from not in (first, second):
        raise ValueError(f"Gap {slug!r}: period_from {period_from!r} is not an input.")
    return str(slug), first, second, operation, align


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in GAP_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    frame["inputs_present"] = frame["inputs_present"].astype(int)
    return frame


def _one_input(obs: pd.DataFrame, slug: str, align: str) -> pd.DataFrame:
    """Rows of one indicator keyed for alignment; duplicates are an error, not a guess."""
    part = obs.loc[obs["indicator"] == slug, ["place", "period_start", "period_end", "value"]]
    part = part.copy()
    part["value"] = pd.to_numeric(part["value"], errors="coerce")
    if align == "same_period":
        keys = ["place", "period_start", "period_end"]
    else:
        part["_end_year"] = pd.to_datetime(part["period_end"]).dt.year
        keys = ["place", "_end_year"]
    duplicated = part.duplicated(subset=keys, keep=False)
    if duplicated.any():
        example = part.loc[duplicated].iloc[0]
        raise ValueError(
            f"Indicator {slug!r} has several observations for place {example['place']!r} "
            f"that align to the same period ({align}); pass one release per indicator."
        )
    return part


def _compute_one(obs: pd.DataFrame, gap: Mapping[str, Any], keep_incomplete: bool) -> pd.DataFrame:
    slug, first, second, operation, align = _check(gap)
    a = _one_input(obs, first, align)
    b = _one_input(obs, second, align)
    how: Literal["outer", "inner"] = "outer" if keep_incomplete else "inner"
    if align == "same_period":
        keys = ["place", "period_start", "period_end"]
        merged = a.merge(b, on=keys, how=how, suffixes=("_a", "_b"))
    else:
        keys = ["place", "_end_year"]
        merged = a.merge(b, on=keys, how=how, suffixes=("_a", "_b"))
        own, other = ("_a", "_b") if gap.get("period_from", first) == first else ("_b", "_a")
        for column in ("period_start", "period_end"):
            merged[column] = merged[column + own].where(
                merged[column + own].notna(), merged[column + other]
            )
    if merged.empty:
        return _empty()
    difference = merged["value_a"] - merged["value_b"]
    if operation == "absolute_difference":
        difference = difference.abs()
    out = pd.DataFrame(
        {
            "place": merged["place"],
            "period_start": merged["period_start"],
            "period_end": merged["period_end"],
            "gap_slug": slug,
            "value": difference.astype(float),
            "inputs_present": merged[["value_a", "value_b"]].notna().sum(axis=1).astype(int),
        }
    )
    if not keep_incomplete:
        out = out.loc[out["inputs_present"] == 2]
    return out


def compute_gaps(
    observations: pd.DataFrame,
    definitions: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    *,
    keep_incomplete: bool = False,
) -> pd.DataFrame:
    """Derive equality gap values from observations of their input indicators.

    ``observations`` has one row per (place, period, indicator) with columns place,
    period_start, period_end, indicator (catalogue slug) and value; other columns are
    ignored. ``definitions`` is the loaded ``equality_gaps.json`` (or its ``gaps`` list,
    or a single gap). Returns columns place, period_start, period_end, gap_slug, value and
    inputs_present (how many of the two inputs had a value), sorted by gap, place and
    period. Rows lacking an input are dropped unless ``keep_incomplete`` is true, in
    which case they are kept with a missing value.
    """
    missing = [column for column in OBSERVATION_COLUMNS if column not in observations.columns]
    if missing:
        raise ValueError(f"Observations lack column(s): {', '.join(missing)}.")
    gaps = _gap_list(definitions)
    for gap in gaps:
        _check(gap)
    wanted = {str(slug) for gap in gaps for slug in gap["inputs"]}
    obs = observations.loc[observations["indicator"].isin(wanted), list(OBSERVATION_COLUMNS)]
    frames = [_compute_one(obs, gap, keep_incomplete) for gap in gaps]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return _empty()
    result = pd.concat(frames, ignore_index=True)
    result = result.sort_values(["gap_slug", "place", "period_start"], kind="stable")
    return result.reset_index(drop=True)[GAP_COLUMNS]
