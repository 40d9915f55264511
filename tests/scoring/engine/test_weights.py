"""Node and slot weights: weighted means renormalised over what is present.

Bespoke frameworks are scored like the index but with the weights their partnership
set; the index itself (every weight 1) must score exactly as before weights existed.
"""

import dataclasses
import math
from typing import cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring.engine import (
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    assess_robustness,
    compute_driver_changes,
    compute_drivers,
    compute_scores,
    find_hidden_weaknesses,
)
from scoring.engine.examples import worked_example_observations, worked_example_tree


def reweighted(tree: FrameworkTree, weights: dict[str, float]) -> FrameworkTree:
    """The same tree with some node or slot weights changed (keys are ids)."""
    return FrameworkTree(
        tuple(dataclasses.replace(n, weight=weights.get(n.id, n.weight)) for n in tree.nodes),
        tuple(dataclasses.replace(s, weight=weights.get(s.id, s.weight)) for s in tree.slots),
    )


# The worked example (README) with: life expectancy 3 × smoking in S1; S2 twice S1 in
# D1; Energy & Carbon three times Health in the headline.
WEIGHTS = {"le": 3.0, "smk": 1.0, "S1": 1.0, "S2": 2.0, "D1": 1.0, "D2": 3.0}


def example_result(weights=WEIGHTS, method=None):
    tree = reweighted(worked_example_tree(), weights)
    cube = ObservationCube.from_long(worked_example_observations())
    return compute_scores(cube, tree, method or MethodSettings())


def scores_by_place(result) -> pd.DataFrame:
    frame = result.to_frame()
    return frame.pivot(index="place", columns="node", values="score")


# --------------------------------------------------------------------- hand-computed


def test_weighted_worked_example_by_hand():
    # z (README): A le -1.5 smk -1.5 dep 1.4 co2 1.5; B -0.5 0.5 0.2 -0.5; E 1.5 0 – 0.5
    s = scores_by_place(example_result())
    # A: S1 = 5 + 2(3·-1.5 + -1.5)/4 = 2; S2 = 7.8; D1 = (2 + 2·7.8)/3; D2 = 8
    assert s.loc["A", "S1"] == pytest.approx(2.0)
    assert s.loc["A", "D1"] == pytest.approx(17.6 / 3)
    assert s.loc["A", "H"] == pytest.approx((17.6 / 3 + 3 * 8.0) / 4)
    # B: S1 = 5 + 2(3·-0.5 + 0.5)/4 = 4.5; D1 = (4.5 + 2·5.4)/3 = 5.1; H = (5.1 + 3·4)/4
    assert s.loc["B", "S1"] == pytest.approx(4.5)
    assert s.loc["B", "D1"] == pytest.approx(5.1)
    assert s.loc["B", "H"] == pytest.approx(4.275)
    # E has no depression value: D1 is renormalised over S1 alone (weight 1 of 1)
    assert s.loc["E", "S1"] == pytest.approx(5 + 2 * (3 * 1.5) / 4)
    assert math.isnan(cast(float, s.loc["E", "S2"]))
    assert s.loc["E", "D1"] == pytest.approx(7.25)
    assert s.loc["E", "H"] == pytest.approx((7.25 + 3 * 6.0) / 4)


def test_coverage_stays_a_count_whatever_the_weights():
    frame = example_result().to_frame().set_index(["place", "node"])
    assert frame.loc[("E", "D1"), "coverage"] == 0.5
    assert frame.loc[("E", "H"), "indicator_coverage"] == 0.75
    assert frame.loc[("A", "S1"), "n_present"] == 2


def test_node_z_is_the_weighted_mean_z_of_the_holder():
    frame = example_result().to_frame().set_index(["place", "node"])
    assert frame.loc[("B", "S1"), "z"] == pytest.approx((3 * -0.5 + 0.5) / 4)


def test_weighted_drivers_by_hand():
    d = compute_drivers(example_result(), places=["B", "E"])
    b = d[(d.place == "B") & (d.node == "H")].set_index("slot")
    # weights: le 3/4·1/3·1/4, smk 1/4·1/3·1/4, dep 1·2/3·1/4, co2 1·3/4
    assert b.weight.to_dict() == pytest.approx(
        {"le": 1 / 16, "smk": 1 / 48, "dep": 1 / 6, "co2": 3 / 4}
    )
    assert b.contribution.to_dict() == pytest.approx(
        {"le": -0.0625, "smk": 2 * 0.5 / 48, "dep": 2 * 0.2 / 6, "co2": -0.75}
    )
    assert b.contribution.sum() == pytest.approx(4.275 - 5)
    # E: S2 absent, so S1 carries all of D1 (renormalised): le 3/4·1·1/4
    e = d[(d.place == "E") & (d.node == "H")].set_index("slot")
    assert e.weight.to_dict() == pytest.approx({"le": 3 / 16, "smk": 1 / 16, "co2": 3 / 4})
    assert e.contribution.sum() == pytest.approx(6.3125 - 5)


def test_hidden_weaknesses_follow_the_weighted_scores():
    # Unweighted, A's D1 (4.9) shows the weak life expectancy and smoking; weighted,
    # D1 is 5.87 and hides them too, as does the headline.
    flags = find_hidden_weaknesses(example_result())
    a = flags[flags.place == "A"]
    assert sorted(zip(a.slot, a.hidden_by, strict=True)) == [
        ("le", "D1"),
        ("le", "H"),
        ("smk", "D1"),
        ("smk", "H"),
    ]
    unweighted = find_hidden_weaknesses(example_result(weights={}))
    assert set(unweighted[unweighted.place == "A"].hidden_by) == {"H"}


def test_weighted_geometric_mean_by_hand():
    s = scores_by_place(example_result(method=MethodSettings(aggregation="geometric")))
    assert s.loc["A", "D1"] == pytest.approx(math.exp((math.log(2.0) + 2 * math.log(7.8)) / 3))
    expected_h = math.exp((math.log(cast(float, s.loc["A", "D1"])) + 3 * math.log(8.0)) / 4)
    assert s.loc["A", "H"] == pytest.approx(expected_h)


# --------------------------------------------------------------------- regression


def test_all_weights_one_reproduces_the_unweighted_outputs_exactly():
    base = example_result(weights={})
    explicit = example_result(weights={n: 1.0 for n in ("H", "D1", "D2", "S1", "S2", "le")})
    assert not explicit.tree.index.is_weighted
    pd.testing.assert_frame_equal(base.to_frame(), explicit.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(
        compute_drivers(base), compute_drivers(explicit), check_exact=True
    )


def test_equal_sibling_weights_are_the_plain_mean_bit_for_bit():
    """Weights are renormalised: 2.5 for every member of a node is weight 1."""
    rng = np.random.default_rng(11)
    tree, cube = random_case(rng, n_places=60)
    scaled = reweighted(tree, {x.id: 2.5 for x in (*tree.nodes, *tree.slots)})
    assert scaled.index.is_weighted
    for method in (MethodSettings(), MethodSettings(aggregation="geometric", k=4)):
        a, b = compute_scores(cube, tree, method), compute_scores(cube, scaled, method)
        np.testing.assert_array_equal(a.score, b.score)
        np.testing.assert_array_equal(a.score_uncapped, b.score_uncapped)
        pd.testing.assert_frame_equal(compute_drivers(a), compute_drivers(b), check_exact=True)


def test_scaling_a_nodes_weights_changes_nothing():
    rng = np.random.default_rng(12)
    tree, cube = random_case(rng, n_places=60)
    weights = {x.id: float(rng.uniform(0.2, 5)) for x in (*tree.nodes, *tree.slots)}
    a = compute_scores(cube, reweighted(tree, weights), MethodSettings(k=3))
    b = compute_scores(
        cube, reweighted(tree, {key: 7.0 * w for key, w in weights.items()}), MethodSettings(k=3)
    )
    np.testing.assert_allclose(a.score, b.score, rtol=0, atol=1e-12)


# --------------------------------------------------------------------- reference model

NODES = (
    Node("H", None, "headline"),
    Node("D1", "H", "domain"),
    Node("S1", "D1", "subdomain"),
    Node("S2", "D1", "subdomain"),
    Node("S3", "D1", "subdomain"),
    Node("D2", "H", "domain"),
    Node("D3", "H", "domain"),
    Node("S4", "D3", "subdomain"),
)
SLOTS = (
    IndicatorSlot("a", "S1", "a", +1),
    IndicatorSlot("b", "S1", "b", -1),
    IndicatorSlot("c", "S2", "c", +1, "log"),
    IndicatorSlot("d", "S3", "d", +1),
    IndicatorSlot("e", "D2", "e", -1),
    IndicatorSlot("f", "D2", "f", +1),
    IndicatorSlot("g", "D2", "g", +1),
    IndicatorSlot("h", "S4", "h", -1),
)
N_IND = len(SLOTS)


def random_case(rng, n_places):
    values = rng.lognormal(2.0, 0.6, size=(n_places, N_IND))
    values[rng.random(values.shape) < 0.15] = np.nan
    return FrameworkTree(NODES, SLOTS), make_cube(values)


def make_cube(values):
    rows = pd.DataFrame({"place": [f"p{i}" for i in range(values.shape[0])]}).assign(
        reference_set="R", period=1
    )
    return ObservationCube.from_arrays(rows, [s.indicator for s in SLOTS], values)


def reference_scores(z, tree, method):
    """The method written out place by place in plain Python: weighted means over the
    present members, no vectorisation. (score, uncapped) dicts per node, per row."""
    low, high = method.cap
    out = []
    for r in range(z.shape[1]):
        score, unc = {}, {}

        def mean(pairs, geometric=False):
            pairs = [(w, v) for w, v in pairs if not math.isnan(v)]
            if not pairs:
                return math.nan
            total = sum(w for w, _ in pairs)
            if geometric:
                if any(v == 0 for _, v in pairs):
                    return 0.0
                return math.exp(sum(w * math.log(v) for w, v in pairs) / total)
            return sum(w * v for w, v in pairs) / total

        for node in sorted(tree.nodes, key=lambda n: -("HDS".index(n.level[0].upper()))):
            slots = [(j, s) for j, s in enumerate(tree.slots) if s.node == node.id]
            if slots:
                zbar = mean([(s.weight, z[j, r]) for j, s in slots])
                unc[node.id] = method.centre + method.k * zbar
                score[node.id] = min(max(unc[node.id], low), high)
            else:
                kids = [n for n in tree.nodes if n.parent == node.id]
                geometric = method.aggregation == "geometric"
                score[node.id] = mean([(c.weight, score[c.id]) for c in kids], geometric)
                unc[node.id] = mean([(c.weight, unc[c.id]) for c in kids])
        out.append((score, unc))
    return out


weights_st = st.lists(
    st.floats(0.05, 20, allow_nan=False, allow_infinity=False),
    min_size=len(NODES) + N_IND,
    max_size=len(NODES) + N_IND,
)
values_st = st.integers(3, 10).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, (n, N_IND), elements=st.floats(0.01, 1000)),
        arrays(np.bool_, (n, N_IND), elements=st.booleans()),
    )
)
METHODS = st.builds(
    MethodSettings,
    k=st.sampled_from([1.5, 2.0, 6.0]),
    aggregation=st.sampled_from(["arithmetic", "geometric"]),
)


def weighted_tree(weights):
    ids = [x.id for x in (*NODES, *SLOTS)]
    return reweighted(FrameworkTree(NODES, SLOTS), dict(zip(ids, weights, strict=True)))


def observed(values_missing):
    values, missing = values_missing
    keep = np.arange(values.shape[0])[:, None] < 2  # two complete rows
    return np.where(missing & ~keep, np.nan, values)


@settings(max_examples=60, deadline=None)
@given(vm=values_st, weights=weights_st, method=METHODS, unit=st.booleans())
def test_engine_matches_the_place_by_place_reference(vm, weights, method, unit):
    """With ``unit`` every weight is 1: the reference is then the unweighted method."""
    tree = weighted_tree([1.0] * len(weights) if unit else weights)
    result = compute_scores(make_cube(observed(vm)), tree, method)
    ref = reference_scores(result.standardised.z, tree, method)
    for n, node in enumerate(result.node_ids):
        expected_score = np.array([row[0][node] for row in ref])
        expected_unc = np.array([row[1][node] for row in ref])
        np.testing.assert_allclose(result.score[n], expected_score, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(result.score_uncapped[n], expected_unc, rtol=1e-9, atol=1e-9)
    s = result.score[~np.isnan(result.score)]
    assert ((s >= 0.0) & (s <= 10.0)).all()


@settings(max_examples=60, deadline=None)
@given(vm=values_st, weights=weights_st, k=st.sampled_from([1.0, 2.0, 6.0]))
def test_weighted_drivers_sum_to_the_score_minus_five(vm, weights, k):
    result = compute_scores(make_cube(observed(vm)), weighted_tree(weights), MethodSettings(k=k))
    drivers = compute_drivers(result)
    sums = drivers.groupby(["place", "node"], observed=True).agg(
        c=("contribution", "sum"),
        cu=("contribution_uncapped", "sum"),
        s=("score", "first"),
        su=("score_uncapped", "first"),
    )
    np.testing.assert_allclose(sums.cu, sums.su - 5.0, atol=1e-9)
    np.testing.assert_allclose(sums.c, sums.s - 5.0, atol=1e-9)
    frame = result.to_frame()
    assert len(frame[frame.score.notna()]) == len(sums)
    # the weights of a node's drivers add up to 1 (renormalised over what is present)
    total = drivers.groupby(["place", "node"], observed=True).weight.sum()
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_weighted_drivers_sum_with_caps_and_min_coverage():
    rng = np.random.default_rng(13)
    tree, cube = random_case(rng, n_places=300)
    tree = reweighted(tree, {x.id: float(rng.uniform(0.1, 8)) for x in (*NODES, *SLOTS)})
    result = compute_scores(cube, tree, MethodSettings(k=6, min_coverage=0.5))
    d = compute_drivers(result)
    assert (d.cap_factor < 1).any()
    sums = d.groupby(["place", "node"], observed=True).agg(
        c=("contribution", "sum"), s=("score", "first")
    )
    np.testing.assert_allclose(sums.c, sums.s - 5, atol=1e-12)


def test_weighted_geometric_drivers_sum_to_the_weighted_arithmetic_score():
    rng = np.random.default_rng(14)
    tree, cube = random_case(rng, n_places=80)
    tree = reweighted(tree, {x.id: float(rng.uniform(0.1, 8)) for x in (*NODES, *SLOTS)})
    geo = compute_scores(cube, tree, MethodSettings(aggregation="geometric"))
    ari = compute_scores(cube, tree)
    d = compute_drivers(geo)
    h = d[d.node == "H"].groupby("place", observed=True).contribution.sum()
    expected = pd.Series(ari.score[ari.node_ids.index("H")] - 5, index=ari.cube.rows.place)
    np.testing.assert_allclose(h.to_numpy(), expected.loc[h.index.astype(str)], atol=1e-12)


def test_weighted_change_drivers_sum_to_the_change_of_score():
    rng = np.random.default_rng(15)
    values = rng.lognormal(2.0, 0.6, size=(2 * 50, N_IND))
    values[rng.random(values.shape) < 0.1] = np.nan
    rows = pd.DataFrame(
        {
            "place": [f"p{i % 50}" for i in range(100)],
            "reference_set": "R",
            "period": [2023] * 50 + [2024] * 50,
        }
    )
    cube = ObservationCube.from_arrays(rows, [s.indicator for s in SLOTS], values)
    tree = reweighted(FrameworkTree(NODES, SLOTS), {"a": 4.0, "S2": 0.25, "D2": 3.0})
    result = compute_scores(cube, tree)
    changes = compute_driver_changes(compute_drivers(result), period_from=2023, period_to=2024)
    sums = changes.groupby(["place", "node"], observed=True).agg(
        c=("change", "sum"), a=("score_from", "first"), b=("score_to", "first")
    )
    np.testing.assert_allclose(sums.c, sums.b - sums.a, atol=1e-12)


def test_robustness_works_on_a_weighted_tree():
    rng = np.random.default_rng(16)
    tree, cube = random_case(rng, n_places=40)
    tree = reweighted(tree, {"a": 5.0, "D2": 3.0, "S3": 0.5})
    first = assess_robustness(cube, tree, MethodSettings(), n_draws=25, seed=3)
    again = assess_robustness(cube, tree, MethodSettings(), n_draws=25, seed=3)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    default = compute_scores(cube, tree).to_frame()
    np.testing.assert_array_equal(first.summary.score.to_numpy(), default.score.to_numpy())
    scored = first.summary[first.summary.score.notna()]
    assert (scored.score_p5 <= scored.score_p95).all()
    assert scored.same_band_share.between(0, 1).all()


# --------------------------------------------------------------------- validation, hash


@pytest.mark.parametrize("bad", [0, 0.0, -1.0, math.nan, math.inf, -math.inf, "2", True, None])
def test_weights_must_be_finite_positive_numbers(bad):
    with pytest.raises(ValueError, match="weight"):
        FrameworkTree((Node("H", None, "headline", weight=bad),), ())
    with pytest.raises(ValueError, match="weight"):
        FrameworkTree(
            (Node("H", None, "headline"), Node("D", "H", "domain")),
            (IndicatorSlot("s", "D", "x", weight=bad),),
        )


def test_integer_and_numpy_weights_are_accepted():
    # Weights read from frames or arrays arrive as numpy scalars.
    half, three = np.float32(0.5), np.int64(3)
    tree = FrameworkTree(
        (Node("H", None, "headline", weight=2), Node("D", "H", "domain", weight=half)),  # type: ignore[arg-type]
        (IndicatorSlot("s", "D", "x", weight=three),),  # type: ignore[arg-type]
    )
    assert tree.index.slot_weight.tolist() == [3.0]
    assert tree.index.node_weight.tolist() == [2.0, 0.5]


def test_frames_round_trip_weights_and_default_missing_ones():
    tree = reweighted(worked_example_tree(), WEIGHTS)
    nodes, slots = tree.to_frames()
    back = FrameworkTree.from_frames(nodes, slots)
    assert back.nodes == tree.nodes and back.slots == tree.slots
    assert back.checksum == tree.checksum
    nodes.loc[nodes.id == "D2", "weight"] = np.nan
    no_weights = slots.drop(columns="weight")
    again = FrameworkTree.from_frames(nodes, no_weights)
    assert {n.id: n.weight for n in again.nodes}["D2"] == 1.0
    assert {s.weight for s in again.slots} == {1.0}
    with pytest.raises(ValueError, match="weight"):
        FrameworkTree.from_frames(nodes.assign(weight=-2.0), slots)


def test_checksum_changes_with_weights_not_labels():
    tree = worked_example_tree()
    assert tree.checksum == worked_example_tree().checksum
    assert reweighted(tree, {"D2": 2.0}).checksum != tree.checksum
    assert reweighted(tree, {"co2": 2.0}).checksum != tree.checksum
    relabelled = FrameworkTree(
        tuple(dataclasses.replace(n, label="x") for n in tree.nodes), tree.slots
    )
    assert relabelled.checksum == tree.checksum
    # weights are not a method setting: the method id stays that of the method
    assert example_result().settings.method_id == MethodSettings().method_id
