"""Steps 2-4: indicator z-scores → subdomain (or leaf domain) → domain → headline.

Formulas (tpi-method.md, scoring steps 3-5; README "Steps 2-4"):

* node holding indicators (subdomain, or a leaf domain): ``z̄ = Σ w_j z_j / Σ w_j``
  over the present slots j (w = ``IndicatorSlot.weight``, 1 in the index, so a plain
  mean); ``uncapped = centre + k × z̄``; ``score = clip(uncapped, cap)``;
* node holding child nodes (domain, headline): ``score = weighted mean of the
  children's scores`` over the children that have one, weights ``Node.weight``
  renormalised over those children (arithmetic by default, geometric
  ``exp(Σ w ln s / Σ w)`` as an option, 0 if any child is 0); no re-standardisation;
  ``uncapped = weighted arithmetic mean of the children's uncapped values`` (the
  score the node would have with no caps anywhere: what the drivers sum to);
* coverage = present / expected children (slots for indicator holders), a count
  whatever the weights; a node with nothing present, or with coverage below
  ``min_coverage``, has a NaN score: never 0 or 5.

When all of a node's members have the same weight the weighted mean is the plain
mean, and it is computed as one (no multiplications): a tree whose weights are all 1
gives bit-for-bit the results of the unweighted method.

Arrays are node-major (nodes × rows): each node's scores for every place form one
contiguous vector, so a mean over a node's few children is a handful of whole-vector
operations. Loops run over nodes, never over places.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.engine._grouped import group_rank_desc
from scoring.engine.bands import band_keys
from scoring.engine.normalise import Standardised, standardise
from scoring.engine.types import (
    INDICATOR,
    PERIOD,
    PLACE,
    REFERENCE_SET,
    VALUE,
    FloatArray,
    FrameworkTree,
    IntArray,
    MethodSettings,
    ObservationCube,
    TreeIndex,
    categorical,
    level_categorical,
)

SCORE_COLUMNS = [
    PLACE,
    REFERENCE_SET,
    PERIOD,
    "node",
    "level",
    "score",
    "score_uncapped",
    "z",
    "rank",
    "band",
    "coverage",
    "n_present",
    "n_expected",
    "indicator_coverage",
    "method_id",
]
INDICATOR_COLUMNS = [
    PLACE,
    REFERENCE_SET,
    PERIOD,
    "slot",
    INDICATOR,
    "node",
    VALUE,
    "value_transformed",
    "z",
    "reference_mean",
    "reference_sd",
    "reference_n",
]


@dataclass(frozen=True, eq=False)
class NodeScores:
    """Scores of every node for every row, node-major: ``score[n, r]``."""

    score: FloatArray  # (nodes, rows), within cap or NaN
    score_uncapped: FloatArray  # (nodes, rows)
    n_present: npt.NDArray[np.uint16]  # (nodes, rows) children (or slots) with a value


def aggregate(
    z: FloatArray,
    index: TreeIndex,
    *,
    k: float,
    centre: float,
    cap: tuple[float, float],
    aggregation: str = "arithmetic",
    min_coverage: float = 0.0,
    slot_keep: FloatArray | None = None,
) -> NodeScores:
    """Slot z-scores (slots × rows) → scores of every node (nodes × rows).

    ``slot_keep`` (slots,) of 0/1 drops slots from the tree (leave-one-out). Loops run
    over nodes and their few children; every operation inside is over all rows.
    """
    n_rows, n_nodes = z.shape[1], len(index.node_ids)
    # Every row of these is written exactly once, children before parents (np.full
    # would write everything twice); the mean z of a holder is not stored: it is
    # (uncapped - centre) / k.
    score = np.empty((n_nodes, n_rows))
    uncapped = np.empty((n_nodes, n_rows))
    n_present = np.empty((n_nodes, n_rows), dtype=np.uint16)
    low, high = cap

    def nothing_under(node: np.intp | int) -> None:
        score[node] = uncapped[node] = np.nan
        n_present[node] = 0

    for h in index.holder_pos:
        slots = index.node_slots[h]
        if slot_keep is not None:
            slots = slots[slot_keep[slots] > 0]
        if slots.size == 0:
            nothing_under(h)
            continue
        zbar, count = _nanmean_rows(z, slots, _member_weights(index.slot_weight, slots))
        if min_coverage > 0:
            zbar[count < min_coverage * slots.size] = np.nan
        raw = uncapped[h]
        np.multiply(zbar, k, out=raw)
        raw += centre
        np.clip(raw, low, high, out=score[h])
        n_present[h] = count

    for rank in (2, 1, 0):
        for p in np.flatnonzero((index.level_rank == rank) & ~index.holder_mask):
            kids = index.node_children[p]
            if kids.size == 0:
                nothing_under(p)
                continue
            weights = _member_weights(index.node_weight, kids)
            if aggregation == "geometric":
                val, count = _geometric_mean_rows(score, kids, weights)
            else:
                val, count = _nanmean_rows(score, kids, weights)
            unc, _ = _nanmean_rows(uncapped, kids, weights)
            if weights is not None:
                # A weighted mean of scores within the caps is within them; clip the
                # last-bit rounding of Σ w s / Σ w.
                np.clip(val, low, high, out=val)
            if min_coverage > 0:
                short = count < min_coverage * kids.size
                val[short] = np.nan
                unc[short] = np.nan
            score[p] = val
            uncapped[p] = unc
            n_present[p] = count
    return NodeScores(score=score, score_uncapped=uncapped, n_present=n_present)


def effective_weights(index: TreeIndex) -> tuple[FloatArray, FloatArray]:
    """(slot weights, node weights) as ``aggregate`` uses them: 1 for every member of a
    node whose members all have the same weight (the plain mean), else as given."""
    slot_w = index.slot_weight.copy()
    node_w = index.node_weight.copy()
    for members in index.node_slots:
        if members.size and _member_weights(slot_w, members) is None:
            slot_w[members] = 1.0
    for members in index.node_children:
        if members.size and _member_weights(node_w, members) is None:
            node_w[members] = 1.0
    return slot_w, node_w


def _member_weights(weights: FloatArray, members: IntArray) -> FloatArray | None:
    """The members' weights, or None when they are all equal: renormalised over the
    members present, equal weights give the plain mean, computed without weights."""
    w = weights[members]
    return None if (w == w[0]).all() else w


def _nanmean_rows(
    a: FloatArray, members: IntArray, weights: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Mean over the given rows of ``a`` ignoring NaN, and the count of non-NaN.

    With ``weights`` (one per member) the mean is ``Σ w a / Σ w`` over the non-NaN
    members: the weights are renormalised over what is present."""
    if weights is not None:
        return _weighted_nanmean_rows(a, members, weights)
    first = a[members[0]]
    ok = ~np.isnan(first)
    total = np.where(ok, first, 0.0)
    count = ok.astype(np.float64)
    for m in members[1:]:
        row = a[m]
        ok = ~np.isnan(row)
        total += np.where(ok, row, 0.0)
        count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        total /= count  # 0 / 0 → NaN where nothing is present
    return total, count


def _weighted_nanmean_rows(
    a: FloatArray, members: IntArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    # Same passes as the unweighted mean plus one in-place multiply and one masked add
    # per member: no temporaries beyond the filled row.
    total = np.zeros(a.shape[1])
    wsum = np.zeros(a.shape[1])
    count = np.zeros(a.shape[1])
    for m, w in zip(members, weights, strict=True):
        row = a[m]
        ok = ~np.isnan(row)
        filled = np.where(ok, row, 0.0)
        filled *= w
        total += filled
        np.add(wsum, w, out=wsum, where=ok)
        count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        total /= wsum  # 0 / 0 → NaN where nothing is present
    return total, count


def _geometric_mean_rows(
    a: FloatArray, members: IntArray, weights: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """exp(Σ w ln s / Σ w) over the non-NaN rows (w = 1 without weights); 0 when any
    of them is 0."""
    sub = a[members]
    ok = ~np.isnan(sub)
    count = ok.sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(ok, np.log(np.where(ok, sub, 1.0)), 0.0)
        if weights is None:
            out = np.exp(logs.sum(axis=0) / count)  # ln 0 = -inf → exp(-inf) = 0
        else:
            w = weights[:, None]
            out = np.exp((logs * w).sum(axis=0) / (ok * w).sum(axis=0))
    # exp(ln 10) is 10.000000000000002: keep the mean within its children, as it is
    # mathematically, so it stays within the caps.
    np.clip(out, np.fmin.reduce(sub, axis=0), np.fmax.reduce(sub, axis=0), out=out)
    out[count == 0] = np.nan
    return out, count


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Everything one scoring run produced, as arrays aligned with ``cube.rows``.

    ``to_frame()`` gives the long score frame (``SCORE_COLUMNS``);
    ``indicator_frame()`` the standardised indicators (``INDICATOR_COLUMNS``).
    """

    cube: ObservationCube
    tree: FrameworkTree
    settings: MethodSettings
    standardised: Standardised
    nodes: NodeScores

    @property
    def node_ids(self) -> tuple[str, ...]:
        return self.tree.index.node_ids

    @property
    def score(self) -> FloatArray:
        """(nodes × rows) scores; ``score[n]`` is node n for every row of ``cube.rows``."""
        return self.nodes.score

    @property
    def score_uncapped(self) -> FloatArray:
        return self.nodes.score_uncapped

    @cached_property
    def rank(self) -> FloatArray:
        """(nodes × rows) rank within the row's group for each node, 1 = highest score."""
        return group_rank_desc(self.nodes.score, self.cube.group, self.cube.group_starts)

    @cached_property
    def node_z(self) -> FloatArray:
        """(nodes × rows) mean indicator z of each indicator holder; NaN for other nodes."""
        out = (self.nodes.score_uncapped - self.settings.centre) / self.settings.k
        out[~self.tree.index.holder_mask] = np.nan
        return out

    @cached_property
    def coverage(self) -> FloatArray:
        exp = self.tree.index.n_expected[:, None]
        out = np.zeros(self.nodes.n_present.shape)
        np.divide(self.nodes.n_present, exp, out=out, where=exp > 0)
        return out

    @cached_property
    def indicator_coverage(self) -> FloatArray:
        """Present / expected indicator slots in each node's whole subtree."""
        idx = self.tree.index
        got = idx.slot_ancestor.T @ ~np.isnan(self.standardised.z)
        exp = idx.n_indicators_expected[:, None]
        return np.divide(got, exp, out=np.zeros_like(got), where=exp > 0)

    def row_positions(self, places: list[str] | None = None) -> IntArray:
        if places is None:
            return np.arange(self.cube.n_rows, dtype=np.intp)
        return np.flatnonzero(self.cube.rows[PLACE].isin(places).to_numpy()).astype(np.intp)

    def to_frame(self, places: list[str] | None = None) -> pd.DataFrame:
        """Long frame, one row per node × place × reference set × period (node-major:
        all places for the first node, then the next). ``place`` and ``reference_set``
        are categoricals (cheap at 16 million rows); ``period`` keeps its dtype."""
        idx = self.tree.index
        r = self.row_positions(places)
        n_nodes = len(idx.node_ids)
        nn = np.repeat(np.arange(n_nodes), len(r))
        score = self._flat(self.nodes.score, r)
        return pd.DataFrame(
            {
                **self.cube.row_columns(np.tile(r, n_nodes)),
                "node": categorical(nn, list(idx.node_ids)),
                "level": level_categorical(idx.level_rank[nn]),
                "score": score,
                "score_uncapped": self._flat(self.nodes.score_uncapped, r),
                "z": self._flat(self.node_z, r),
                "rank": self._flat(self.rank, r),
                "band": band_keys(score),
                "coverage": self._flat(self.coverage, r),
                "n_present": self._flat(self.nodes.n_present, r).astype(np.int64),
                "n_expected": idx.n_expected[nn].astype(np.int64),
                "indicator_coverage": self._flat(self.indicator_coverage, r),
                "method_id": categorical(np.zeros(nn.size, np.intp), [self.settings.method_id]),
            },
            columns=SCORE_COLUMNS,
        )

    def _flat(self, node_major: npt.NDArray[Any], r: IntArray) -> npt.NDArray[Any]:
        if r.size == node_major.shape[1]:
            return node_major.ravel()
        return node_major[:, r].ravel()

    def indicator_frame(self, places: list[str] | None = None) -> pd.DataFrame:
        """Long frame of the standardised indicators: one row per value present."""
        idx = self.tree.index
        st = self.standardised
        sub = self.row_positions(places)
        present = ~np.isnan(st.x[:, sub])
        j, ri = np.nonzero(present)
        r = sub[ri]
        g = self.cube.group[r]
        cols = np.array([self.cube.indicator_position(k) for k in idx.slot_indicators])
        return pd.DataFrame(
            {
                **self.cube.row_columns(r),
                "slot": categorical(j, list(idx.slot_ids)),
                INDICATOR: np.asarray(idx.slot_indicators, dtype=object)[j],
                "node": categorical(idx.slot_node_pos[j], list(idx.node_ids)),
                VALUE: self.cube.data[cols[j], r],
                "value_transformed": st.x[j, r],
                "z": st.z[j, r],
                "reference_mean": st.mean[j, g],
                "reference_sd": st.sd[j, g],
                "reference_n": st.n[j, g].astype(np.int64),
            },
            columns=INDICATOR_COLUMNS,
        )


def compute_scores(
    cube: ObservationCube,
    tree: FrameworkTree,
    settings: MethodSettings | None = None,
) -> ScoreResult:
    """The core of the method: standardise, then aggregate up the tree."""
    settings = settings or MethodSettings()
    st = standardise(cube, tree, settings)
    nodes = aggregate(
        st.z,
        tree.index,
        k=settings.k,
        centre=settings.centre,
        cap=settings.cap,
        aggregation=settings.aggregation,
        min_coverage=settings.min_coverage,
    )
    return ScoreResult(cube=cube, tree=tree, settings=settings, standardised=st, nodes=nodes)


def score_observations(
    observations: pd.DataFrame,
    tree: FrameworkTree,
    settings: MethodSettings | None = None,
    *,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Long observations in (see ``ObservationCube.from_long``) → long scores out
    (``SCORE_COLUMNS``)."""
    cube = ObservationCube.from_long(observations, population=population)
    return compute_scores(cube, tree, settings).to_frame()
