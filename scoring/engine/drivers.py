"""Step 5: what drives each score, and each change of score between two periods.

Formulas (README "Step 5"). For an indicator slot j under node N (its subdomain or
leaf domain h, then each ancestor up to the headline):

* ``weight(h, j) = w_j / W_h`` if j is present (w_j = the slot's weight, W_h = the
  sum of the weights of the slots present in h), else 0;
  ``weight(P, j) = weight(C, j) × w_C / W_P`` for the child C of P on j's path, if C
  has a score (W_P = the sum of the weights of the children of P with a score), else
  0. These are the weights the aggregation renormalised over what is present; with
  every weight 1 (the index) they are ``1 / n_h`` and ``weight(C, j) / n_P``;
* ``contribution_uncapped(N, j) = k × z_j × weight(N, j)``. With arithmetic means,
  ``Σ_j contribution_uncapped(N, j) = score_uncapped(N) - centre`` exactly;
* capping is attributed at the node where it happens, the subdomain (or leaf domain)
  h, in proportion to each indicator's share of the uncapped deviation:
  ``cap_factor(h) = (score(h) - centre) / (score_uncapped(h) - centre)`` (in [0, 1],
  1 when nothing was capped; the cap never flips the sign of the deviation), and
  ``contribution(N, j) = contribution_uncapped(N, j) × cap_factor(h)``. With
  arithmetic means, ``Σ_j contribution(N, j) = score(N) - centre`` exactly, at every
  level, because a parent's score is the weighted mean of its (capped) children with
  the same weights.
* with geometric means the contributions are those of the arithmetic mean of the same
  children, so they sum to ``arithmetic mean - centre``; the gap to the geometric
  score (``score - centre - Σ contribution``) is left unattributed.

Change between two periods for the same place and node:
``change(j) = contribution_to(j) - contribution_from(j)`` (0 for a period in which j is
absent), which sums to ``score_to - score_from``. Scores are relative to the reference
set of each period, so a change is a change of relative position, not an effect.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.aggregate import ScoreResult, effective_weights
from scoring.engine.normalise import slot_values
from scoring.engine.types import INDICATOR, PERIOD, PLACE, REFERENCE_SET, VALUE, IntArray

DRIVER_COLUMNS = [
    PLACE,
    REFERENCE_SET,
    PERIOD,
    "node",
    "level",
    "slot",
    INDICATOR,
    VALUE,
    "z",
    "weight",
    "cap_factor",
    "contribution",
    "contribution_uncapped",
    "score",
    "score_uncapped",
]
CHANGE_COLUMNS = [
    PLACE,
    REFERENCE_SET,
    "node",
    "level",
    "slot",
    INDICATOR,
    "period_from",
    "period_to",
    "value_from",
    "value_to",
    "z_from",
    "z_to",
    "contribution_from",
    "contribution_to",
    "change",
    "score_from",
    "score_to",
]


def compute_drivers(result: ScoreResult, *, places: list[str] | None = None) -> pd.DataFrame:
    """Contribution of every present indicator to every node above it (``DRIVER_COLUMNS``),
    one row per place × reference set × period × node × slot; ``places`` restricts
    the rows (useful at LSOA scale: pass a council's small areas)."""
    idx = result.tree.index
    settings = result.settings
    r = result.row_positions(places)
    z = result.standardised.z[:, r]
    score = result.nodes.score[:, r]
    unc = result.nodes.score_uncapped[:, r]
    centre, k = settings.centre, settings.k

    finite = ~np.isnan(score)
    dev = unc - centre
    cap_factor = np.ones_like(score)
    np.divide(score - centre, dev, out=cap_factor, where=finite & (dev != 0))

    # W: the weight present under each node, what its mean was renormalised over (with
    # all weights 1: the count present, n_present).
    slot_w, node_w = effective_weights(idx)
    present_w = np.zeros_like(score)
    for h in idx.holder_pos:
        members = idx.node_slots[h]
        present_w[h] = slot_w[members] @ ~np.isnan(z[members])
    for p in np.flatnonzero(~idx.holder_mask):
        members = idx.node_children[p]
        present_w[p] = node_w[members] @ finite[members]

    parts: dict[str, list[Any]] = {key: [] for key in ("row", "node", "slot", "w", "cf")}
    for j in range(len(idx.slot_ids)):
        h = int(idx.slot_node_pos[j])
        present = ~np.isnan(z[j]) & finite[h]
        weight = np.zeros(len(r))
        np.divide(slot_w[j], present_w[h], out=weight, where=present)
        node = h
        while node >= 0:
            keep = np.flatnonzero((weight > 0) & finite[node])
            parts["row"].append(keep)
            parts["node"].append(np.full(keep.size, node, dtype=np.intp))
            parts["slot"].append(np.full(keep.size, j, dtype=np.intp))
            parts["w"].append(weight[keep])
            parts["cf"].append(cap_factor[h, keep])
            parent = int(idx.parent_pos[node])
            if parent >= 0:
                scaled = np.zeros(len(r))
                np.divide(weight * node_w[node], present_w[parent], out=scaled, where=finite[node])
                weight = scaled
            node = parent

    empty = np.zeros(0, dtype=np.intp)
    row: IntArray = np.concatenate(parts["row"]) if parts["row"] else empty
    node_arr: IntArray = np.concatenate(parts["node"]) if parts["node"] else empty
    slot_arr: IntArray = np.concatenate(parts["slot"]) if parts["slot"] else empty
    w = np.concatenate(parts["w"]) if parts["w"] else np.zeros(0)
    cf = np.concatenate(parts["cf"]) if parts["cf"] else np.zeros(0)
    order = np.lexsort((slot_arr, node_arr, row))
    row, node_arr, slot_arr = row[order], node_arr[order], slot_arr[order]
    w, cf = w[order], cf[order]

    zz = z[slot_arr, row]
    contribution_uncapped = k * zz * w
    abs_rows = r[row]
    raw = slot_values(result.cube, result.tree, result.cube.data)
    return pd.DataFrame(
        {
            **result.cube.row_columns(abs_rows),
            "node": np.asarray(idx.node_ids, dtype=object)[node_arr],
            "level": np.asarray(idx.node_levels, dtype=object)[node_arr],
            "slot": np.asarray(idx.slot_ids, dtype=object)[slot_arr],
            INDICATOR: np.asarray(idx.slot_indicators, dtype=object)[slot_arr],
            VALUE: raw[slot_arr, abs_rows],
            "z": zz,
            "weight": w,
            "cap_factor": cf,
            "contribution": contribution_uncapped * cf,
            "contribution_uncapped": contribution_uncapped,
            "score": score[node_arr, row],
            "score_uncapped": unc[node_arr, row],
        },
        columns=DRIVER_COLUMNS,
    )


def compute_driver_changes(
    drivers: pd.DataFrame, *, period_from: Any, period_to: Any
) -> pd.DataFrame:
    """Contribution of each indicator to the change of each node's score between two
    periods, for every place and node scored in both (``CHANGE_COLUMNS``)."""
    keys = [PLACE, REFERENCE_SET, "node", "slot"]
    node_keys = [PLACE, REFERENCE_SET, "node"]
    carried = ["level", INDICATOR, VALUE, "z", "contribution", "score"]
    a = drivers.loc[drivers[PERIOD] == period_from, keys + carried]
    b = drivers.loc[drivers[PERIOD] == period_to, keys + carried]
    both = a[node_keys].drop_duplicates().merge(b[node_keys].drop_duplicates(), on=node_keys)
    m = a.merge(b, on=keys, how="outer", suffixes=("_from", "_to")).merge(both, on=node_keys)
    scores_a = a[[*node_keys, "score"]].drop_duplicates(node_keys)
    scores_b = b[[*node_keys, "score"]].drop_duplicates(node_keys)
    m = m.drop(columns=["score_from", "score_to"])
    m = m.merge(scores_a.rename(columns={"score": "score_from"}), on=node_keys)
    m = m.merge(scores_b.rename(columns={"score": "score_to"}), on=node_keys)
    m["level"] = m["level_from"].fillna(m["level_to"])
    m[INDICATOR] = m[f"{INDICATOR}_from"].fillna(m[f"{INDICATOR}_to"])
    m["contribution_from"] = m["contribution_from"].fillna(0.0)
    m["contribution_to"] = m["contribution_to"].fillna(0.0)
    m["change"] = m["contribution_to"] - m["contribution_from"]
    m["period_from"] = period_from
    m["period_to"] = period_to
    return m[CHANGE_COLUMNS].sort_values(keys).reset_index(drop=True)
