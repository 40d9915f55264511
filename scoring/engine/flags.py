"""Step 6: hidden weaknesses, weak indicators masked by a good average above them.

Rule (README "Step 6"; tpi-method.md "Known weaknesses"): an indicator value of a
place is *weak* when, within its reference set and after polarity,

* it is in the bottom decile: ``z <= q`` where q is the ``hidden_weakness_quantile``
  (0.1) quantile of the slot's z-scores in the group (numpy's linear interpolation;
  places tied at the threshold are all flagged), or
* it is significantly below the reference mean: a 95% interval exists and its better
  end, after polarity (upper_ci for higher-is-better, lower_ci for lower-is-better,
  transformed like the value), is below the reference mean (its z is < 0).

A weak value is *hidden* by every node above it (subdomain or leaf domain, domain,
headline) whose score is above the centre (5): one flag row per weak value and hiding
node.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.engine._grouped import group_quantile
from scoring.engine.aggregate import ScoreResult
from scoring.engine.normalise import apply_transform, slot_values
from scoring.engine.types import (
    INDICATOR,
    LOWER_CI,
    PERIOD,
    PLACE,
    REFERENCE_SET,
    UPPER_CI,
    VALUE,
    FloatArray,
)

HIDDEN_WEAKNESS_COLUMNS = [
    PLACE,
    REFERENCE_SET,
    PERIOD,
    "slot",
    INDICATOR,
    VALUE,
    LOWER_CI,
    UPPER_CI,
    "z",
    "z_threshold",
    "reference_mean",
    "bottom_decile",
    "significantly_below",
    "hidden_by",
    "hidden_by_level",
    "hidden_by_score",
]


def find_hidden_weaknesses(result: ScoreResult, *, quantile: float | None = None) -> pd.DataFrame:
    """Flag rows (``HIDDEN_WEAKNESS_COLUMNS``) for every weak indicator value hidden by
    a node scoring above the centre. ``reference_mean`` is in the indicator's own units
    (for log slots, the back-transformed mean of the logs: the geometric mean)."""
    q = result.settings.hidden_weakness_quantile if quantile is None else quantile
    cube, idx, st = result.cube, result.tree.index, result.standardised
    z = st.z
    threshold = group_quantile(z, cube.group, cube.group_starts, q)
    with np.errstate(invalid="ignore"):
        bottom = z <= np.repeat(threshold, cube.group_sizes, axis=-1)
    sig = np.zeros_like(bottom)
    lower = upper = None
    if cube.lower_ci is not None or cube.upper_ci is not None:
        lower = _slot_or_nan(result, cube.lower_ci)
        upper = _slot_or_nan(result, cube.upper_ci)
        better_end = np.where(idx.polarity[:, None] > 0, upper, lower)
        better_end, _ = apply_transform(better_end, idx.log_slots)
        sizes = cube.group_sizes
        z_end = (better_end - np.repeat(st.mean, sizes, axis=-1)) * np.repeat(
            idx.polarity[:, None] / st.sd, sizes, axis=-1
        )
        with np.errstate(invalid="ignore"):
            sig = ~np.isnan(z) & (z_end < 0)
    weak = bottom | sig
    score = result.nodes.score
    centre = result.settings.centre

    parts: dict[str, list[Any]] = {"row": [], "slot": [], "node": []}
    for j in range(len(idx.slot_ids)):
        weak_rows = weak[j]
        if not weak_rows.any():
            continue
        for node in idx.ancestors_of_slot(j):
            with np.errstate(invalid="ignore"):
                hit = np.flatnonzero(weak_rows & (score[node] > centre))
            parts["row"].append(hit)
            parts["slot"].append(np.full(hit.size, j, dtype=np.intp))
            parts["node"].append(np.full(hit.size, node, dtype=np.intp))
    if parts["row"]:
        row, slot, node_arr = (np.concatenate(parts[key]) for key in ("row", "slot", "node"))
    else:
        row = slot = node_arr = np.zeros(0, dtype=np.intp)
    order = np.lexsort((idx.level_rank[node_arr] * -1, slot, row))
    row, slot, node_arr = row[order], slot[order], node_arr[order]

    g = cube.group[row]
    raw = slot_values(cube, result.tree, cube.data)
    mean = st.mean[slot, g]
    ref_mean = mean.copy()
    logged = idx.log_slots[slot]
    ref_mean[logged] = np.exp(mean[logged])  # back to the indicator's units
    nan = np.full(row.size, np.nan)
    return pd.DataFrame(
        {
            **cube.row_columns(row),
            "slot": np.asarray(idx.slot_ids, dtype=object)[slot],
            INDICATOR: np.asarray(idx.slot_indicators, dtype=object)[slot],
            VALUE: raw[slot, row],
            LOWER_CI: nan if lower is None else lower[slot, row],
            UPPER_CI: nan if upper is None else upper[slot, row],
            "z": z[slot, row],
            "z_threshold": threshold[slot, g],
            "reference_mean": ref_mean,
            "bottom_decile": bottom[slot, row],
            "significantly_below": sig[slot, row],
            "hidden_by": np.asarray(idx.node_ids, dtype=object)[node_arr],
            "hidden_by_level": np.asarray(idx.node_levels, dtype=object)[node_arr],
            "hidden_by_score": score[node_arr, row],
        },
        columns=HIDDEN_WEAKNESS_COLUMNS,
    )


def _slot_or_nan(result: ScoreResult, source: FloatArray | None) -> FloatArray:
    if source is None:
        return np.full((len(result.tree.index.slot_ids), result.cube.n_rows), np.nan)
    return slot_values(result.cube, result.tree, source)
