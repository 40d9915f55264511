"""Step 5: indicator contributions to scores and to changes of score."""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring.engine import (
    CHANGE_COLUMNS,
    DRIVER_COLUMNS,
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    compute_driver_changes,
    compute_drivers,
    compute_scores,
)

TREE = FrameworkTree(
    (
        Node("H", None, "headline"),
        Node("D1", "H", "domain"),
        Node("S1", "D1", "subdomain"),
        Node("S2", "D1", "subdomain"),
        Node("D2", "H", "domain"),
    ),
    (
        IndicatorSlot("a", "S1", "a"),
        IndicatorSlot("b", "S1", "b"),
        IndicatorSlot("c", "S2", "c"),
        IndicatorSlot("d", "D2", "d", -1),
    ),
)


def cube_of(values: Mapping[str, Any], periods=None) -> ObservationCube:
    n = len(next(iter(values.values())))
    periods = periods or [2024] * n
    places = [f"p{i}" for i in range(n)]
    if len(set(periods)) > 1:
        per = len(periods) // len(set(periods))
        places = [f"p{i % per}" for i in range(n)]
    rows = pd.DataFrame({"place": places, "reference_set": "R", "period": periods})
    return ObservationCube.from_arrays(rows, list(values), np.column_stack(list(values.values())))


def test_capping_is_attributed_at_the_subdomain_in_proportion():
    # a, b: z = -1.5, -0.5, 0, 0.5, 1.5 for both; k = 4 → S1 uncapped 5 + 4z = -1 … 11
    le = [74, 78, 80, 82, 86]
    cube = cube_of({"a": le, "b": le, "c": [1, 2, 3, 4, 5], "d": [1, 2, 3, 4, 5]})
    result = compute_scores(cube, TREE, MethodSettings(k=4))
    d = compute_drivers(result, places=["p4"])
    s1 = d[d.node == "S1"].set_index("slot")
    # uncapped: each of a, b contributes 4 × 1.5 / 2 = 3 → 5 + 6 = 11
    assert s1.contribution_uncapped.to_dict() == pytest.approx({"a": 3.0, "b": 3.0})
    # capped at 10: cap factor (10 - 5) / (11 - 5) = 5/6, each contributes 2.5
    assert s1.cap_factor.to_dict() == pytest.approx({"a": 5 / 6, "b": 5 / 6})
    assert s1.contribution.to_dict() == pytest.approx({"a": 2.5, "b": 2.5})
    # the same factor carries up: D1 = mean(S1 = 10, S2)
    d1 = d[d.node == "D1"].set_index("slot")
    assert d1.loc["a", "contribution"] == pytest.approx(1.25)
    assert d1.contribution.sum() == pytest.approx(d1.score.iloc[0] - 5)
    # the low end is capped at 0 symmetrically
    low = compute_drivers(result, places=["p0"])
    s1_low = low[low.node == "S1"]
    assert s1_low.contribution.sum() == pytest.approx(-5.0)
    assert s1_low.contribution_uncapped.sum() == pytest.approx(-6.0)


def test_drivers_frame_has_one_row_per_present_indicator_and_ancestor():
    cube = cube_of({"a": [1, 2, 3], "b": [1, math.nan, 3], "c": [3, 2, 1], "d": [1, 2, 3]})
    d = compute_drivers(compute_scores(cube, TREE))
    assert list(d.columns) == DRIVER_COLUMNS
    p1 = d[d.place == "p1"]
    # b is missing for p1: a (S1, D1, H) + c (S2, D1, H) + d (D2, H) = 8 rows
    assert len(p1) == 8
    assert set(p1[p1.node == "S1"].slot) == {"a"}
    # with b missing, a carries the whole of S1
    assert p1[(p1.node == "S1")].weight.iloc[0] == 1.0


def test_drivers_sum_exactly_on_random_data_with_missing_values():
    rng = np.random.default_rng(5)
    n = 200
    values = {k: np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)) for k in "abcd"}
    result = compute_scores(cube_of(values), TREE, MethodSettings(k=3))
    d = compute_drivers(result)
    sums = d.groupby(["place", "node"]).agg(
        c=("contribution", "sum"),
        cu=("contribution_uncapped", "sum"),
        s=("score", "first"),
        su=("score_uncapped", "first"),
    )
    np.testing.assert_allclose(sums.c, sums.s - 5, atol=1e-12)
    np.testing.assert_allclose(sums.cu, sums.su - 5, atol=1e-12)
    assert (d.cap_factor < 1).any()  # the caps bit somewhere


def test_geometric_drivers_sum_to_the_arithmetic_mean_of_the_same_children():
    rng = np.random.default_rng(6)
    values = {k: rng.normal(size=50) for k in "abcd"}
    cube = cube_of(values)
    geo = compute_scores(cube, TREE, MethodSettings(aggregation="geometric"))
    ari = compute_scores(cube, TREE)
    d = compute_drivers(geo)
    h = d[d.node == "H"].groupby("place", observed=True).contribution.sum()
    h_node = ari.node_ids.index("H")
    expected = pd.Series(ari.score[h_node] - 5, index=ari.cube.rows.place)
    np.testing.assert_allclose(h.to_numpy(), expected.loc[h.index.astype(str)], atol=1e-12)


def test_change_drivers_sum_to_the_change_of_score():
    rng = np.random.default_rng(7)
    n = 40
    values = {k: np.where(rng.random(2 * n) < 0.1, np.nan, rng.normal(size=2 * n)) for k in "abcd"}
    cube = cube_of(values, periods=[2023] * n + [2024] * n)
    d = compute_drivers(compute_scores(cube, TREE))
    changes = compute_driver_changes(d, period_from=2023, period_to=2024)
    assert list(changes.columns) == CHANGE_COLUMNS
    per_node = changes.groupby(["place", "node"]).agg(
        change=("change", "sum"), s0=("score_from", "first"), s1=("score_to", "first")
    )
    np.testing.assert_allclose(per_node.change, per_node.s1 - per_node.s0, atol=1e-12)
    # an indicator present in only one period contributes 0 in the other
    one_sided = changes[changes.z_from.isna() | changes.z_to.isna()]
    assert len(one_sided) > 0
    assert (
        (one_sided.z_from.isna() & (one_sided.contribution_from == 0))
        | (one_sided.z_to.isna() & (one_sided.contribution_to == 0))
    ).all()


def test_change_of_a_single_indicator_is_attributed_to_it():
    cube = cube_of(
        {
            "a": [1, 2, 3, 4, 2, 3],
            "b": [1, 2, 3, 1, 2, 3],
            "c": [1, 2, 3, 1, 2, 3],
            "d": [1, 2, 3, 1, 2, 3],
        },
        periods=[2023] * 3 + [2024] * 3,
    )
    d = compute_drivers(compute_scores(cube, TREE))
    changes = compute_driver_changes(d, period_from=2023, period_to=2024)
    moved = changes[(changes.place == "p0") & (changes.node == "H")].set_index("slot")
    assert moved.change.drop("a").abs().max() == pytest.approx(0)
    assert moved["change"].to_numpy()[list(moved.index).index("a")] > 0
