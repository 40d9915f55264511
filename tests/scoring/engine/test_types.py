"""Method settings, framework tree and observation cube: construction and validation."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from scoring.engine import FrameworkTree, IndicatorSlot, MethodSettings, Node, ObservationCube

# ----------------------------------------------------------------------------- settings


def test_settings_defaults_follow_the_method_doc():
    s = MethodSettings()
    assert s.k == 2.0
    assert s.cap == (0.0, 10.0)
    assert s.reference_weighting == "unweighted"
    assert s.aggregation == "arithmetic"
    assert s.min_coverage == 0.0
    assert s.hidden_weakness_quantile == 0.1
    assert s.robustness_draws == 200


def test_settings_round_trip_through_a_dict():
    s = MethodSettings(k=2.5, cap=(1, 9), aggregation="geometric", robustness_seed=7)
    stored = s.as_dict()
    assert stored["cap"] == [1.0, 9.0]  # JSON-ready
    back = MethodSettings.from_dict(stored)
    assert back == s
    assert back.method_id == s.method_id


def test_method_id_changes_when_any_setting_changes():
    base = MethodSettings()
    assert base.method_id.startswith("tpi-2024-m1-")
    changes = {
        "version": "tpi-2024-m2",
        "k": 2.5,
        "centre": 4.0,
        "cap": (0.0, 9.0),
        "reference_weighting": "population",
        "aggregation": "geometric",
        "min_coverage": 0.5,
        "hidden_weakness_quantile": 0.2,
        "robustness_draws": 100,
        "robustness_seed": 1,
        "robustness_k": (1.0, 2.0),
        "robust_share": 0.9,
    }
    assert set(changes) == {f.name for f in dataclasses.fields(MethodSettings)}
    ids = {base.replace(**{name: value}).method_id for name, value in changes.items()}
    assert len(ids) == len(changes)
    assert base.method_id not in ids


@pytest.mark.parametrize(
    "bad",
    [
        {"k": 0},
        {"cap": (10, 0)},
        {"centre": 11},
        {"reference_weighting": "households"},
        {"aggregation": "median"},
        {"min_coverage": 1.5},
        {"hidden_weakness_quantile": 0},
        {"robustness_draws": 0},
        {"robust_share": 0},
    ],
)
def test_invalid_settings_are_rejected(bad):
    with pytest.raises(ValueError, match="Invalid method settings"):
        MethodSettings(**bad)


def test_unknown_stored_setting_is_an_error():
    with pytest.raises(ValueError, match="Unknown method settings"):
        MethodSettings.from_dict({"kk": 2})


# ----------------------------------------------------------------------------- tree


def _tree(nodes, slots):
    return FrameworkTree(tuple(nodes), tuple(slots))


def test_tree_index_records_leaf_domains_and_expected_counts():
    tree = _tree(
        [
            Node("H", None, "headline"),
            Node("D1", "H", "domain"),
            Node("S1", "D1", "subdomain"),
            Node("D2", "H", "domain"),
        ],
        [
            IndicatorSlot("a", "S1", "a"),
            IndicatorSlot("b", "D2", "b"),
            IndicatorSlot("c", "D2", "c"),
        ],
    )
    idx = tree.index
    assert list(idx.holder_mask) == [False, False, True, True]
    assert list(idx.n_expected) == [2, 1, 1, 2]
    assert list(idx.n_indicators_expected) == [3, 1, 1, 2]
    assert list(idx.ancestors_of_slot(0)) == [0, 1, 2]


@pytest.mark.parametrize(
    ("nodes", "slots", "message"),
    [
        ([Node("H", "X", "headline")], [], "cannot have a parent"),
        ([Node("H", None, "headline"), Node("S", "H", "subdomain")], [], "cannot sit under"),
        ([Node("H", None, "headline"), Node("H", None, "headline")], [], "duplicate node"),
        ([Node("D", "H", "domain")], [], "unknown parent"),
        ([Node("H", None, "index")], [], "level must be"),
        (
            [Node("H", None, "headline"), Node("D", "H", "domain")],
            [IndicatorSlot("a", "H", "a")],
            "has child nodes",
        ),
        ([Node("H", None, "headline")], [IndicatorSlot("a", "H", "a", polarity=0)], "polarity"),
        (
            [Node("H", None, "headline")],
            [IndicatorSlot("a", "H", "a", transform="sqrt")],
            "transform",
        ),
        ([Node("H", None, "headline")], [IndicatorSlot("a", "X", "a")], "unknown node"),
    ],
)
def test_invalid_trees_are_rejected(nodes, slots, message):
    with pytest.raises(ValueError, match=message):
        _tree(nodes, slots)


def test_tree_round_trips_through_frames():
    tree = _tree(
        [Node("H", None, "headline", "Local"), Node("D", "H", "domain")],
        [IndicatorSlot("a", "D", "ind-a", -1, "log", "A")],
    )
    nodes, slots = tree.to_frames()
    back = FrameworkTree.from_frames(nodes, slots)
    assert back.nodes == tree.nodes
    assert back.slots == tree.slots


# ----------------------------------------------------------------------------- cube


def test_from_long_groups_rows_by_reference_set_and_period():
    obs = pd.DataFrame(
        {
            "place": ["p2", "p1", "p1", "p1", "w1"],
            "reference_set": ["E", "E", "E", "E", "W"],
            "period": [2024, 2024, 2023, 2024, 2024],
            "indicator": ["a", "a", "a", "b", "a"],
            "value": [2.0, 1.0, 0.5, 9.0, 7.0],
        }
    )
    cube = ObservationCube.from_long(obs)
    assert cube.groups.to_dict("records") == [
        {"reference_set": "E", "period": 2023},
        {"reference_set": "E", "period": 2024},
        {"reference_set": "W", "period": 2024},
    ]
    assert list(cube.group) == sorted(cube.group)
    assert list(cube.group_starts) == [0, 1, 3]
    assert cube.indicators == ("a", "b")
    values = cube.values  # rows × indicators view
    row = cube.rows.index[(cube.rows.place == "p1") & (cube.rows.period == 2024)][0]
    assert list(values[row]) == [1.0, 9.0]


def test_duplicate_observation_is_an_error():
    obs = pd.DataFrame(
        {
            "place": ["p", "p"],
            "reference_set": ["E", "E"],
            "period": [1, 1],
            "indicator": ["a", "a"],
            "value": [1.0, 2.0],
        }
    )
    with pytest.raises(ValueError, match="duplicate observations"):
        ObservationCube.from_long(obs)


def test_from_arrays_reorders_ungrouped_rows_and_keeps_the_arrays_aligned():
    rows = pd.DataFrame(
        {"place": ["a", "b", "c"], "reference_set": ["R2", "R1", "R2"], "period": [1, 1, 1]}
    )
    cube = ObservationCube.from_arrays(
        rows, ["x"], np.array([[1.0], [2.0], [3.0]]), population=[10, 20, 30]
    )
    assert list(cube.rows.place) == ["b", "a", "c"]
    assert list(cube.data[0]) == [2.0, 1.0, 3.0]
    assert cube.population is not None
    assert list(cube.population) == [20.0, 10.0, 30.0]


def test_same_place_twice_in_a_group_is_an_error():
    rows = pd.DataFrame({"place": ["a", "a"], "reference_set": ["R", "R"], "period": [1, 1]})
    with pytest.raises(ValueError, match="twice"):
        ObservationCube.from_arrays(rows, ["x"], np.zeros((2, 1)))


def test_population_is_aligned_on_the_keys_it_has():
    obs = pd.DataFrame(
        {
            "place": ["a", "b", "a"],
            "reference_set": ["R", "R", "R"],
            "period": [1, 1, 2],
            "indicator": ["x", "x", "x"],
            "value": [1.0, 2.0, 3.0],
        }
    )
    pop = pd.DataFrame({"place": ["a", "b"], "population": [100, 200]})
    cube = ObservationCube.from_long(obs, population=pop)
    assert cube.population is not None
    assert dict(
        zip(cube.rows.place + cube.rows.period.astype(str), cube.population, strict=True)
    ) == {
        "a1": 100.0,
        "b1": 200.0,
        "a2": 100.0,
    }


def test_take_groups_keeps_whole_groups():
    rows = pd.DataFrame(
        {"place": ["a", "b", "a", "b"], "reference_set": "R", "period": [1, 1, 2, 2]}
    )
    cube = ObservationCube.from_arrays(rows, ["x"], np.arange(4.0).reshape(4, 1))
    sub = cube.take_groups(np.array([1]))
    assert list(sub.data[0]) == [2.0, 3.0]
    assert list(sub.group) == [0, 0]
    assert sub.groups.period.tolist() == [2]
