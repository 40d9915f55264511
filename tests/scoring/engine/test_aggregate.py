"""Steps 2-4: subdomain, domain and headline scores, hand-computed, plus invariants."""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scoring.engine import (
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    compute_scores,
)

NAN = math.nan


def cube_of(values: Mapping[str, Any], *, groups=None, population=None) -> ObservationCube:
    n = len(next(iter(values.values())))
    rows = pd.DataFrame(
        {
            "place": [f"p{i}" for i in range(n)],
            "reference_set": groups or ["R"] * n,
            "period": 2024,
        }
    )
    return ObservationCube.from_arrays(
        rows, list(values), np.column_stack(list(values.values())), population=population
    )


def tree_two_domains() -> FrameworkTree:
    """H → D1 (S1: a, b; S2: c) and leaf domain D2 (d)."""
    return FrameworkTree(
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
            IndicatorSlot("d", "D2", "d"),
        ),
    )


def scores_by_node(result) -> dict[str, np.ndarray]:
    return {nid: result.score[i] for i, nid in enumerate(result.node_ids)}


def test_capping_at_zero_and_ten():
    # z = -1.5, -0.5, 0, 0.5, 1.5; with k = 4: 5 + 4z = -1, 3, 5, 7, 11
    tree = FrameworkTree(
        (Node("H", None, "headline"), Node("D", "H", "domain")), (IndicatorSlot("x", "D", "x"),)
    )
    result = compute_scores(cube_of({"x": [74, 78, 80, 82, 86]}), tree, MethodSettings(k=4))
    d = result.tree.index.node_ids.index("D")
    np.testing.assert_allclose(result.score_uncapped[d], [-1, 3, 5, 7, 11])
    np.testing.assert_allclose(result.score[d], [0, 3, 5, 7, 10])


def test_leaf_domain_converts_its_own_indicators():
    cube = cube_of({"a": [1, 2, 3, 4], "b": [4, 3, 2, 1], "c": [1, 1, 2, 2], "d": [0, 0, 0, 4]})
    s = scores_by_node(compute_scores(cube, tree_two_domains()))
    # d: mean 1, SD sqrt(3): z = -1/sqrt3 x3, 3/sqrt3
    r3 = math.sqrt(3)
    np.testing.assert_allclose(s["D2"], [5 - 2 / r3] * 3 + [5 + 6 / r3])
    # S1: a and b are exact opposites, so the mean z is 0 everywhere
    np.testing.assert_allclose(s["S1"], [5, 5, 5, 5])
    # S2: c z = -1, -1, 1, 1
    np.testing.assert_allclose(s["S2"], [3, 3, 7, 7])
    np.testing.assert_allclose(s["D1"], [4, 4, 6, 6])
    np.testing.assert_allclose(s["H"], (s["D1"] + s["D2"]) / 2)


def test_missing_children_are_dropped_and_coverage_recorded():
    cube = cube_of(
        {
            "a": [1, 2, 3, NAN],
            "b": [1, 2, 3, NAN],
            "c": [1, 2, NAN, NAN],
            "d": [1, 2, 3, NAN],
        }
    )
    result = compute_scores(cube, tree_two_domains())
    s = scores_by_node(result)
    ids = result.node_ids
    cov = {nid: result.coverage[i] for i, nid in enumerate(ids)}
    # place 2 has no value for c: S2 is null, D1 = S1 alone, coverage 1/2
    assert math.isnan(s["S2"][2])
    assert s["D1"][2] == pytest.approx(s["S1"][2])
    assert cov["D1"][2] == 0.5
    # place 3 has nothing: every score null (never 0 or 5), coverage 0
    for nid in ids:
        assert math.isnan(s[nid][3])
        assert cov[nid][3] == 0.0


def test_min_coverage_nulls_thin_scores():
    cube = cube_of({"a": [1, 2, 3], "b": [1, NAN, 3], "c": [1, 2, 3], "d": [1, 2, 3]})
    result = compute_scores(cube, tree_two_domains(), MethodSettings(min_coverage=0.75))
    s = scores_by_node(result)
    assert math.isnan(s["S1"][1])  # 1 of 2 indicators < 0.75
    assert not math.isnan(s["S1"][0])
    assert math.isnan(s["D1"][1])  # 1 of 2 subdomains
    assert math.isnan(s["H"][1])  # D2 present, D1 null → 1/2 < 0.75


def test_node_without_indicators_is_null():
    tree = FrameworkTree(
        (Node("H", None, "headline"), Node("D", "H", "domain"), Node("E", "H", "domain")),
        (IndicatorSlot("x", "D", "x"),),
    )
    result = compute_scores(cube_of({"x": [1, 2, 3]}), tree)
    s = scores_by_node(result)
    assert np.isnan(s["E"]).all()
    np.testing.assert_allclose(s["H"], s["D"])  # E dropped from H's mean


def test_geometric_mean_option():
    cube = cube_of({"a": [1, 3], "b": [1, 3], "c": [3, 1], "d": [1, 3]})
    result = compute_scores(cube, tree_two_domains(), MethodSettings(aggregation="geometric"))
    s = scores_by_node(result)
    # S1 = 3, 7; S2 = 7, 3 → D1 = sqrt(21) both
    np.testing.assert_allclose(s["D1"], [math.sqrt(21)] * 2)
    np.testing.assert_allclose(s["H"], np.sqrt(s["D1"] * s["D2"]))


def test_geometric_mean_is_zero_when_a_child_is_zero():
    le = [74, 78, 80, 82, 86]  # z = -1.5 .. 1.5; with k = 4, S1 = 0, 3, 5, 7, 10
    cube = cube_of({"a": le, "b": le, "c": [1, 2, 3, 4, 5], "d": [5, 4, 3, 2, 1]})
    settings = MethodSettings(aggregation="geometric", k=4)
    s = scores_by_node(compute_scores(cube, tree_two_domains(), settings))
    np.testing.assert_allclose(s["S1"], [0, 3, 5, 7, 10])
    assert s["D1"][0] == 0.0
    assert s["H"][0] == 0.0
    np.testing.assert_allclose(s["D1"][1:], np.sqrt(s["S1"][1:] * s["S2"][1:]))


def test_subdomain_scores_average_five_before_capping_on_random_data():
    rng = np.random.default_rng(1)
    n = 500
    groups = list(np.repeat(["E", "W", "S"], [300, 150, 50]))
    values = {k: rng.lognormal(2, 1, n) for k in "abcd"}
    cube = cube_of(values, groups=groups, population=rng.integers(100, 10_000, n))
    tree = tree_two_domains()
    for settings, weights in (
        (MethodSettings(k=3.0), None),
        (MethodSettings(reference_weighting="population"), cube.population),
    ):
        result = compute_scores(cube, tree, settings)
        holders = np.flatnonzero(tree.index.holder_mask)
        for g in range(cube.n_groups):
            block = cube.group == g
            w = None if weights is None else weights[block]
            for h in holders:
                avg = np.average(result.score_uncapped[h, block], weights=w)
                assert avg == pytest.approx(5.0, abs=1e-9)


def test_capped_scores_do_not_average_five_when_caps_bite():
    rng = np.random.default_rng(2)
    x = np.r_[rng.normal(0, 1, 99), 50.0]  # one extreme place
    tree = FrameworkTree(
        (Node("H", None, "headline"), Node("D", "H", "domain")), (IndicatorSlot("x", "D", "x"),)
    )
    result = compute_scores(cube_of({"x": list(x)}), tree)
    d = 1
    assert result.score_uncapped[d].mean() == pytest.approx(5.0)
    assert result.score[d].max() == 10.0
    assert result.score[d].mean() < 5.0


def test_scores_are_within_caps_or_null():
    rng = np.random.default_rng(3)
    values = {k: list(np.where(rng.random(50) < 0.2, NAN, rng.standard_cauchy(50))) for k in "abcd"}
    result = compute_scores(cube_of(values), tree_two_domains(), MethodSettings(k=5))
    s = result.score
    finite = s[~np.isnan(s)]
    assert ((finite >= 0) & (finite <= 10)).all()


def test_to_frame_columns_and_rows():
    cube = cube_of({"a": [1, 2], "b": [2, 1], "c": [1, 2], "d": [1, 2]})
    frame = compute_scores(cube, tree_two_domains()).to_frame()
    assert list(frame.columns) == [
        "place",
        "reference_set",
        "period",
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
    assert len(frame) == 2 * 5
    s1 = frame[(frame.node == "S1")]
    assert s1.z.notna().all()  # indicator holders carry their mean z
    assert frame[frame.node == "H"].z.isna().all()
