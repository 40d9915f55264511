"""The README's worked example, computed by hand, reproduced by the engine."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.engine import (
    ObservationCube,
    compute_drivers,
    compute_scores,
    find_hidden_weaknesses,
    score_observations,
)
from scoring.engine.examples import worked_example_observations, worked_example_tree

# Hand-computed in scoring/engine/README.md ("Worked example").
EXPECTED_Z = {
    "le": [-1.5, -0.5, 0.0, 0.5, 1.5],
    "smk": [-1.5, 0.5, -0.5, 1.5, 0.0],
    "dep": [1.4, 0.2, -0.2, -1.4, math.nan],
    "co2": [1.5, -0.5, -1.5, 0.0, 0.5],
}
EXPECTED_SCORES = {
    "S1": [2.0, 5.0, 4.5, 7.0, 6.5],
    "S2": [7.8, 5.4, 4.6, 2.2, math.nan],
    "D1": [4.9, 5.2, 4.55, 4.6, 6.5],
    "D2": [8.0, 4.0, 2.0, 5.0, 6.0],
    "H": [6.45, 4.6, 3.275, 4.8, 6.25],
}
EXPECTED_BANDS_H = ["pale_green", "yellow", "red", "yellow", "pale_green"]


@pytest.fixture
def result():
    cube = ObservationCube.from_long(worked_example_observations())
    return compute_scores(cube, worked_example_tree())


@pytest.fixture
def frame(result):
    return result.to_frame()


def test_indicator_z_scores_match_the_hand_computation(result):
    z = result.indicator_frame().pivot(index="place", columns="slot", values="z")
    for slot, expected in EXPECTED_Z.items():
        np.testing.assert_allclose(z[slot].to_numpy(), expected, atol=1e-12)


def test_reference_statistics_are_round_numbers(result):
    ind = result.indicator_frame().drop_duplicates("slot").set_index("slot")
    assert ind.loc["le", "reference_mean"] == pytest.approx(80)
    assert ind.loc["le", "reference_sd"] == pytest.approx(4)
    assert ind.loc["dep", "reference_mean"] == pytest.approx(15)
    assert ind.loc["dep", "reference_sd"] == pytest.approx(5)
    assert ind.loc["dep", "reference_n"] == 4


def test_scores_at_every_level_match_the_hand_computation(frame):
    scores = frame.pivot(index="place", columns="node", values="score")
    for node, expected in EXPECTED_SCORES.items():
        np.testing.assert_allclose(scores[node].to_numpy(), expected, atol=1e-12)


def test_missing_indicator_gives_a_null_score_not_zero_or_five(frame):
    row = frame[(frame.place == "E") & (frame.node == "S2")].iloc[0]
    assert math.isnan(row.score)
    assert row.coverage == 0.0
    assert row.n_present == 0
    assert pd.isna(row.band)


def test_coverage_is_recorded_on_every_score(frame):
    e = frame[frame.place == "E"].set_index("node")
    assert e.loc["D1", "coverage"] == 0.5  # S1 present, S2 missing
    assert e.loc["D1", "n_present"] == 1
    assert e.loc["D1", "n_expected"] == 2
    assert e.loc["H", "coverage"] == 1.0
    assert e.loc["H", "indicator_coverage"] == pytest.approx(3 / 4)


def test_bands_follow_band_for(frame):
    h = frame[frame.node == "H"].sort_values("place")
    assert list(h.band.astype(str)) == EXPECTED_BANDS_H


def test_ranks_are_within_the_reference_set(frame):
    h = frame[frame.node == "H"].set_index("place")["rank"]
    assert h.to_dict() == {"A": 1.0, "E": 2.0, "D": 3.0, "B": 4.0, "C": 5.0}


def test_drivers_for_place_a_match_the_hand_computation(result):
    d = compute_drivers(result, places=["A"])
    h = d[d.node == "H"].set_index("slot")
    assert h["weight"].to_dict() == pytest.approx(
        {"le": 1 / 8, "smk": 1 / 8, "dep": 1 / 4, "co2": 1 / 2}
    )
    assert h["contribution"].to_dict() == pytest.approx(
        {"le": -0.375, "smk": -0.375, "dep": 0.7, "co2": 1.5}
    )
    assert h["contribution"].sum() == pytest.approx(6.45 - 5)


def test_hidden_weakness_of_place_a(result):
    flags = find_hidden_weaknesses(result)
    # A is the worst place on life expectancy and smoking, yet its headline is 6.45.
    assert set(zip(flags.place, flags.slot, flags.hidden_by, strict=True)) == {
        ("A", "le", "H"),
        ("A", "smk", "H"),
    }
    assert flags.bottom_decile.all()
    assert flags.z_threshold.iloc[0] == pytest.approx(-1.1)


def test_score_observations_long_in_long_out():
    out = score_observations(worked_example_observations(), worked_example_tree())
    assert len(out) == 5 * 5
    assert out.method_id.nunique() == 1
    h = out[out.node == "H"].set_index("place")["score"]
    assert h["C"] == pytest.approx(3.275)
