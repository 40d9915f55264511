"""Step 7: how much do scores and ranks depend on the method's open choices?

Monte Carlo over combinations of defensible alternatives (README "Step 7"). Each draw
picks, independently and uniformly (seeded ``numpy.random.default_rng``):

* k from ``settings.robustness_k`` (1.5, 2, 2.5);
* the reference weighting: unweighted or population-weighted (population only when
  the cube has populations, otherwise the settings' weighting in every draw);
* arithmetic or geometric means above the subdomain;
* one indicator slot to leave out, or none: uniform over {none} ∪ slots.

The tree's node and slot weights hold in every draw (a left-out slot's weight is
renormalised away like a missing value's); they are the framework's, not a choice of
the method.

Each draw re-scores every place (z-scores are computed once per weighting; a dropped
slot is left out of its node's mean, as a missing value would be). Per place × node
the summary gives the default score and rank (the settings as given, nothing
dropped), the 5th and 95th percentiles over draws of score and of rank (rank 1 =
highest within the reference set and period; competition ranking for ties), the share
of draws whose band equals the default band (over draws in which the node has a
score), and ``robust = share >= settings.robust_share`` (0.8: the colour a reader sees
holds in at least four draws out of five). Rows are processed in blocks of whole
scoring groups so that memory stays bounded at LSOA scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine._grouped import group_rank_desc, nanquantile_last
from scoring.engine.aggregate import aggregate, compute_scores
from scoring.engine.bands import BAND_KEYS, band_index
from scoring.engine.normalise import standardise
from scoring.engine.types import (
    PERIOD,
    PLACE,
    REFERENCE_SET,
    FloatArray,
    FrameworkTree,
    MethodSettings,
    ObservationCube,
    categorical,
    level_categorical,
)

ROBUSTNESS_COLUMNS = [
    PLACE,
    REFERENCE_SET,
    PERIOD,
    "node",
    "level",
    "score",
    "rank",
    "band",
    "score_p5",
    "score_p95",
    "rank_p5",
    "rank_p95",
    "same_band_share",
    "robust",
    "n_draws",
]
DRAW_COLUMNS = ["draw", "k", "weighting", "aggregation", "dropped_slot"]


@dataclass(frozen=True, eq=False)
class RobustnessResult:
    summary: pd.DataFrame  # ROBUSTNESS_COLUMNS
    draws: pd.DataFrame  # DRAW_COLUMNS: the combination used in each draw


def draw_combinations(
    tree: FrameworkTree, settings: MethodSettings, *, n_draws: int, seed: int, weightings: list[str]
) -> pd.DataFrame:
    """One row per draw: k, weighting, aggregation and the slot left out (None: none)."""
    rng = np.random.default_rng(seed)
    slots = [None, *tree.index.slot_ids]
    k = rng.choice(np.asarray(settings.robustness_k), size=n_draws)
    w = rng.integers(0, len(weightings), size=n_draws)
    a = rng.integers(0, 2, size=n_draws)
    d = rng.integers(0, len(slots), size=n_draws)
    return pd.DataFrame(
        {
            "draw": np.arange(n_draws),
            "k": k,
            "weighting": [weightings[i] for i in w],
            "aggregation": [("arithmetic", "geometric")[i] for i in a],
            "dropped_slot": pd.Series([slots[i] for i in d], dtype=object),
        },
        columns=DRAW_COLUMNS,
    )


def assess_robustness(
    cube: ObservationCube,
    tree: FrameworkTree,
    settings: MethodSettings | None = None,
    *,
    n_draws: int | None = None,
    seed: int | None = None,
    max_block_bytes: int = 256 * 1024**2,
) -> RobustnessResult:
    """Score and rank intervals under alternative choices (see module docstring)."""
    settings = settings or MethodSettings()
    n_draws = settings.robustness_draws if n_draws is None else n_draws
    seed = settings.robustness_seed if seed is None else seed
    idx = tree.index
    has_population = cube.population is not None and bool(
        (np.isfinite(cube.population) & (cube.population > 0)).all()
    )
    weightings = ["unweighted", "population"] if has_population else [settings.reference_weighting]
    draws = draw_combinations(tree, settings, n_draws=n_draws, seed=seed, weightings=weightings)

    default = compute_scores(cube, tree, settings)
    z_by_weighting = {
        w: (
            default.standardised.z
            if w == settings.reference_weighting
            else standardise(cube, tree, settings, weighting=w).z
        )
        for w in weightings
    }
    draw_k = draws["k"].to_numpy(dtype=np.float64)
    draw_weighting = [str(w) for w in draws["weighting"]]
    draw_aggregation = [str(a) for a in draws["aggregation"]]
    slot_pos = {sid: i for i, sid in enumerate(idx.slot_ids)}
    keeps: list[FloatArray | None] = []
    for dropped in draws["dropped_slot"]:
        if dropped is None or dropped not in slot_pos:
            keeps.append(None)
        else:
            keep = np.ones(len(idx.slot_ids))
            keep[slot_pos[dropped]] = 0.0
            keeps.append(keep)

    n_nodes, n_rows = default.score.shape
    out = {
        name: np.full((n_nodes, n_rows), np.nan)
        for name in ("score_p5", "score_p95", "rank_p5", "rank_p95", "share")
    }
    n_valid = np.zeros((n_nodes, n_rows))
    default_band = band_index(default.score)

    # Blocks of whole groups, each holding at most max_block_bytes of draw results.
    bytes_per_row = max(n_draws * n_nodes * 8 * 4, 1)
    rows_per_block = max(max_block_bytes // bytes_per_row, 1)
    ends = np.cumsum(cube.group_sizes)
    block_of_group = (ends - 1) // rows_per_block
    for block in np.unique(block_of_group):
        gids = np.flatnonzero(block_of_group == block)
        lo = int(cube.group_starts[gids[0]])
        hi = int(ends[gids[-1]])
        group = cube.group[lo:hi] - gids[0]
        starts = cube.group_starts[gids] - lo
        scores = np.empty((n_draws, n_nodes, hi - lo))
        for d in range(n_draws):
            scores[d] = aggregate(
                z_by_weighting[draw_weighting[d]][:, lo:hi],
                idx,
                k=float(draw_k[d]),
                centre=settings.centre,
                cap=settings.cap,
                aggregation=draw_aggregation[d],
                min_coverage=settings.min_coverage,
                slot_keep=keeps[d],
            ).score
        ranks = group_rank_desc(scores.reshape(n_draws * n_nodes, hi - lo), group, starts)
        ranks = ranks.reshape(scores.shape)
        valid = ~np.isnan(scores)
        count = valid.sum(axis=0).astype(np.float64)
        same = ((band_index(scores) == default_band[None, :, lo:hi]) & valid).sum(axis=0)
        share = np.full(count.shape, np.nan)
        np.divide(same, count, out=share, where=count > 0)
        share[np.isnan(default.score[:, lo:hi])] = np.nan
        by_draw = np.moveaxis(scores, 0, -1)
        out["score_p5"][:, lo:hi], out["score_p95"][:, lo:hi] = nanquantile_last(
            by_draw, (0.05, 0.95)
        )
        out["rank_p5"][:, lo:hi], out["rank_p95"][:, lo:hi] = nanquantile_last(
            np.moveaxis(ranks, 0, -1), (0.05, 0.95)
        )
        out["share"][:, lo:hi] = share
        n_valid[:, lo:hi] = count

    # Node-major like ScoreResult.to_frame: all places for the first node, then the next.
    rr = np.tile(np.arange(n_rows), n_nodes)
    nn = np.repeat(np.arange(n_nodes), n_rows)
    share_flat = out["share"][nn, rr]
    summary = pd.DataFrame(
        {
            **cube.row_columns(rr),
            "node": categorical(nn, list(idx.node_ids)),
            "level": level_categorical(idx.level_rank[nn]),
            "score": default.score[nn, rr],
            "rank": default.rank[nn, rr],
            "band": categorical(default_band[nn, rr], list(BAND_KEYS)),
            "score_p5": out["score_p5"][nn, rr],
            "score_p95": out["score_p95"][nn, rr],
            "rank_p5": out["rank_p5"][nn, rr],
            "rank_p95": out["rank_p95"][nn, rr],
            "same_band_share": share_flat,
            "robust": np.nan_to_num(share_flat, nan=0.0) >= settings.robust_share,
            "n_draws": n_valid[nn, rr].astype(np.int64),
        },
        columns=ROBUSTNESS_COLUMNS,
    )
    return RobustnessResult(summary=summary, draws=draws)
