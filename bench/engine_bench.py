"""Benchmark: the pure scoring engine against plain numpy doing the same arithmetic.

Generates a cube of ~33,700 places (LSOA scale) × 70 indicators × 10 periods with 5%
of values missing, and a tree of 3 headline elements / 15 domains / 30 subdomains (5
leaf domains holding indicators directly). Times, best of 3:

* the engine's core scoring (``compute_scores``: z-scores → subdomain → domain →
  headline, plus coverage and uncapped values);
* a plain numpy pass doing the same arithmetic on the same arrays (per reference set:
  ``np.nanmean``/``np.nanstd``, z, per-node ``np.nanmean`` over children, clip);

prints both, the ratio (target: engine within 1.5× of plain numpy) and whether both
give the same numbers. Then the same tree with node and slot weights (a partnership's
framework, weights drawn in 0.5-3): engine against plain numpy's weighted means, and
the cost over the unweighted run. Then times drivers and a 50-draw robustness run at
council scale (~300 places × 10 periods), unweighted and weighted.

    .venv/bin/python bench/engine_bench.py [--places 33700] [--periods 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.engine import (  # noqa: E402
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    assess_robustness,
    compute_drivers,
    compute_scores,
)

INDICATORS = 70
MISSING = 0.05


def build_tree(rng: np.random.Generator) -> FrameworkTree:
    """3 headlines; 15 domains; 30 subdomains; 5 leaf domains; 70 indicator slots."""
    nodes: list[Node] = []
    holders: list[str] = []
    layout = {"H1": [4] * 5, "H2": [2] * 5, "H3": [0] * 5}  # subdomains per domain
    for h, domains in layout.items():
        nodes.append(Node(h, None, "headline", f"Headline {h}"))
        for d, n_sub in enumerate(domains, start=1):
            did = f"{h}.D{d}"
            nodes.append(Node(did, h, "domain"))
            if n_sub == 0:
                holders.append(did)
            for s in range(1, n_sub + 1):
                sid = f"{did}.S{s}"
                nodes.append(Node(sid, did, "subdomain"))
                holders.append(sid)
    slots = []
    for i in range(INDICATORS):
        slots.append(
            IndicatorSlot(
                id=f"slot{i:02d}",
                node=holders[i % len(holders)],
                indicator=f"ind{i:02d}",
                polarity=int(rng.choice([1, -1])),
                transform="log" if i % 7 == 0 else "none",
            )
        )
    return FrameworkTree(tuple(nodes), tuple(slots))


def weighted(tree: FrameworkTree, rng: np.random.Generator) -> FrameworkTree:
    """The same tree with every node and slot weight drawn uniformly in [0.5, 3]."""
    return FrameworkTree(
        tuple(dataclasses.replace(n, weight=float(rng.uniform(0.5, 3.0))) for n in tree.nodes),
        tuple(dataclasses.replace(s, weight=float(rng.uniform(0.5, 3.0))) for s in tree.slots),
    )


def build_cube(
    rng: np.random.Generator, tree: FrameworkTree, n_places: int, n_periods: int
) -> ObservationCube:
    n_rows = n_places * n_periods
    values = rng.normal(50.0, 10.0, size=(n_rows, INDICATORS))
    log_cols = np.flatnonzero(tree.index.log_slots)
    values[:, log_cols] = rng.lognormal(3.0, 0.5, size=(n_rows, log_cols.size))
    values[rng.random(values.shape) < MISSING] = np.nan
    rows = pd.DataFrame(
        {
            "place": np.tile([f"P{i:05d}" for i in range(n_places)], n_periods),
            "reference_set": "E-LSOA",
            "period": np.repeat(np.arange(2015, 2015 + n_periods), n_places),
        }
    )
    population = rng.integers(1000, 3000, size=n_rows).astype(np.float64)
    return ObservationCube.from_arrays(
        rows, [s.indicator for s in tree.slots], values, population=population
    )


def plain_numpy(
    values: np.ndarray, starts: np.ndarray, tree: FrameworkTree, k: float, *, major: str
) -> np.ndarray:
    """The same arithmetic written the obvious way with numpy's nan-functions.

    ``major="row"``: values are (rows × indicators); ``"indicator"``: (indicators ×
    rows), the engine's layout. Returns (rows × nodes) scores either way. With node or
    slot weights, the means are ``nansum(w x) / nansum(w [x present])``.
    """
    idx = tree.index
    im = major == "indicator"
    ax = 1 if im else 0  # the axis running over places

    def cols(a: np.ndarray, c: np.ndarray) -> np.ndarray:
        return a[c] if im else a[:, c]

    def block(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return a[:, lo:hi] if im else a[lo:hi]

    n_rows = values.shape[ax]
    x = values.copy()
    log_cols = np.flatnonzero(idx.log_slots)
    if im:
        x[log_cols] = np.log(x[log_cols])
    else:
        x[:, log_cols] = np.log(x[:, log_cols])
    pol = idx.polarity[:, None] if im else idx.polarity
    z = np.empty_like(x)
    for lo, hi in itertools.pairwise([*starts.tolist(), n_rows]):
        xb = block(x, lo, hi)
        zb = pol * (xb - np.nanmean(xb, axis=ax, keepdims=True))
        zb /= np.nanstd(xb, axis=ax, keepdims=True)
        if im:
            z[:, lo:hi] = zb
        else:
            z[lo:hi] = zb
    node_axis = 1 - ax
    scores = np.full((len(idx.node_ids), n_rows) if im else (n_rows, len(idx.node_ids)), np.nan)

    def put(node: Any, v: np.ndarray) -> None:
        if im:
            scores[node] = v
        else:
            scores[:, node] = v

    def mean(a: np.ndarray, w: np.ndarray) -> np.ndarray:
        if not idx.is_weighted:
            return np.nanmean(a, axis=node_axis)
        ww = w[:, None] if im else w[None, :]
        present = (~np.isnan(a)) * ww
        return np.nansum(a * ww, axis=node_axis) / present.sum(axis=node_axis)

    for node in idx.holder_pos:
        members = np.flatnonzero(idx.slot_node_pos == node)
        zbar = mean(cols(z, members), idx.slot_weight[members])
        put(node, np.clip(5.0 + k * zbar, 0.0, 10.0))
    for rank in (1, 0):
        for node in np.flatnonzero((idx.level_rank == rank) & ~idx.holder_mask):
            kids = np.flatnonzero(idx.parent_pos == node)
            put(node, mean(cols(scores, kids), idx.node_weight[kids]))
    return scores.T if im else scores


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, default=33_700)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--council-places", type=int, default=300)
    parser.add_argument("--draws", type=int, default=50)
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)  # nanmean of all-NaN rows (plain pass)

    rng = np.random.default_rng(2024)
    tree = build_tree(rng)
    idx = tree.index
    settings = MethodSettings()
    print(
        f"tree: {int((idx.level_rank == 0).sum())} headlines, "
        f"{int((idx.level_rank == 1).sum())} domains, {int((idx.level_rank == 2).sum())} "
        f"subdomains, {len(idx.slot_ids)} indicators"
    )
    t0 = time.perf_counter()
    cube = build_cube(rng, tree, args.places, args.periods)
    print(
        f"cube: {args.places:,} places × {INDICATORS} indicators × {args.periods} periods "
        f"= {cube.values.size:,} cells, {np.isnan(cube.values).mean():.1%} missing "
        f"(built in {time.perf_counter() - t0:.1f} s)"
    )

    # Plain numpy gets the same numbers in both layouts and is timed in both; the ratio
    # is taken against its faster layout.
    row_major = np.ascontiguousarray(cube.values)
    t_engine, result = best_of(3, lambda: compute_scores(cube, tree, settings))
    t_row, plain_row = best_of(
        3, lambda: plain_numpy(row_major, cube.group_starts, tree, 2.0, major="row")
    )
    t_ind, plain_ind = best_of(
        3, lambda: plain_numpy(cube.data, cube.group_starts, tree, 2.0, major="indicator")
    )
    t_plain = min(t_row, t_ind)
    engine_scores = result.score.T
    same = all(
        np.allclose(engine_scores, p, rtol=0, atol=1e-9, equal_nan=True)
        and np.array_equal(np.isnan(engine_scores), np.isnan(p))
        for p in (plain_row, plain_ind)
    )
    max_diff = max(float(np.nanmax(np.abs(engine_scores - p))) for p in (plain_row, plain_ind))
    print(f"core scoring, engine                    : {t_engine:7.3f} s (best of 3)")
    print(f"core scoring, plain numpy, row-major    : {t_row:7.3f} s (best of 3)")
    print(f"core scoring, plain numpy, indicator-maj: {t_ind:7.3f} s (best of 3)")
    print(f"ratio engine / faster plain numpy       : {t_engine / t_plain:7.2f}x (target <= 1.5x)")
    print(f"same numbers (|diff| <= 1e-9, same NaN) : {same} (max |difference| {max_diff:.2e})")

    # The same cube and structure with node and slot weights (a bespoke framework).
    wtree = weighted(tree, np.random.default_rng(7))
    t_wengine, wresult = best_of(3, lambda: compute_scores(cube, wtree, settings))
    t_wplain, wplain = best_of(
        3, lambda: plain_numpy(cube.data, cube.group_starts, wtree, 2.0, major="indicator")
    )
    wscores = wresult.score.T
    wsame = np.allclose(wscores, wplain, rtol=0, atol=1e-9, equal_nan=True) and np.array_equal(
        np.isnan(wscores), np.isnan(wplain)
    )
    print(f"core scoring, engine, unweighted tree   : {t_engine:7.3f} s (best of 3)")
    print(
        f"core scoring, engine, weighted tree     : {t_wengine:7.3f} s (best of 3, "
        f"{t_wengine / t_engine:.2f}x the unweighted)"
    )
    print(f"core scoring, plain numpy, weighted     : {t_wplain:7.3f} s (indicator-major)")
    print(
        f"weighted: same numbers as plain numpy   : {wsame} "
        f"(max |difference| {float(np.nanmax(np.abs(wscores - wplain))):.2e})"
    )

    council = build_cube(rng, tree, args.council_places, args.periods)
    for name, council_tree in (("unweighted", tree), ("weighted", wtree)):
        council_result = compute_scores(council, council_tree, settings)
        t_drivers, drivers = best_of(3, functools.partial(compute_drivers, council_result))
        sums = drivers.groupby(["place", "period", "node"], observed=True).agg(
            c=("contribution", "sum"), s=("score", "first")
        )
        drift = float(np.abs(sums["c"] - (sums["s"] - settings.centre)).max())
        print(
            f"drivers, {name}, {args.council_places} places × {args.periods} periods: "
            f"{t_drivers:.3f} s ({len(drivers):,} rows; max |Σ contribution - (score - 5)| "
            f"{drift:.1e})"
        )
        t_robust, robust = best_of(
            1,
            functools.partial(
                assess_robustness, council, council_tree, settings, n_draws=args.draws
            ),
        )
        print(
            f"robustness, {name}, {args.draws} draws, {args.council_places} places × "
            f"{args.periods} periods: {t_robust:.3f} s ({len(robust.summary):,} rows, "
            f"{robust.summary['robust'].mean():.0%} robust)"
        )


if __name__ == "__main__":
    main()
