"""Step 7: score and rank intervals under alternative choices; shapes and determinism."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from scoring.engine import (
    DRAW_COLUMNS,
    ROBUSTNESS_COLUMNS,
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    assess_robustness,
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
        IndicatorSlot("b", "S1", "b", -1),
        IndicatorSlot("c", "S2", "c"),
        IndicatorSlot("d", "D2", "d"),
        IndicatorSlot("e", "D2", "e"),
    ),
)


def make_cube(n=30, periods=(2023, 2024), population=True, seed=0) -> ObservationCube:
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame(
        {
            "place": np.tile([f"p{i}" for i in range(n)], len(periods)),
            "reference_set": "R",
            "period": np.repeat(periods, n),
        }
    )
    values = rng.normal(size=(len(rows), 5))
    values[rng.random(values.shape) < 0.05] = np.nan
    pop = rng.integers(1000, 5000, len(rows)) if population else None
    return ObservationCube.from_arrays(rows, list("abcde"), values, population=pop)


def test_summary_has_one_row_per_place_and_node():
    cube = make_cube()
    out = assess_robustness(cube, TREE, n_draws=25, seed=1)
    assert list(out.summary.columns) == ROBUSTNESS_COLUMNS
    assert len(out.summary) == cube.n_rows * len(TREE.nodes)
    assert list(out.draws.columns) == DRAW_COLUMNS
    assert len(out.draws) == 25
    assert out.summary.n_draws.max() <= 25


def test_default_score_and_rank_are_those_of_compute_scores():
    cube = make_cube()
    out = assess_robustness(cube, TREE, n_draws=10)
    frame = compute_scores(cube, TREE).to_frame()
    np.testing.assert_allclose(out.summary.score, frame.score)
    np.testing.assert_allclose(out.summary["rank"], frame["rank"])


def test_same_seed_same_result_and_different_seed_different_draws():
    cube = make_cube()
    one = assess_robustness(cube, TREE, n_draws=30, seed=42)
    two = assess_robustness(cube, TREE, n_draws=30, seed=42)
    pdt.assert_frame_equal(one.summary, two.summary)
    pdt.assert_frame_equal(one.draws, two.draws)
    other = assess_robustness(cube, TREE, n_draws=30, seed=43)
    assert not one.draws.equals(other.draws)


def test_seed_and_draw_count_default_to_the_settings():
    cube = make_cube()
    settings = MethodSettings(robustness_draws=12, robustness_seed=9)
    a = assess_robustness(cube, TREE, settings)
    b = assess_robustness(cube, TREE, settings, n_draws=12, seed=9)
    assert len(a.draws) == 12
    pdt.assert_frame_equal(a.summary, b.summary)


def test_draws_cover_every_alternative():
    out = assess_robustness(make_cube(), TREE, n_draws=200, seed=3)
    draws = out.draws
    assert set(draws.k) == {1.5, 2.0, 2.5}
    assert set(draws.weighting) == {"unweighted", "population"}
    assert set(draws.aggregation) == {"arithmetic", "geometric"}
    assert set(draws.dropped_slot.dropna()) == set("abcde")
    assert draws.dropped_slot.isna().any()  # "leave nothing out" is a draw too


def test_without_population_only_the_settings_weighting_is_drawn():
    out = assess_robustness(make_cube(population=False), TREE, n_draws=50)
    assert set(out.draws.weighting) == {"unweighted"}


def test_intervals_bracket_and_robust_means_band_share_at_least_point_eight():
    out = assess_robustness(make_cube(), TREE, n_draws=60, seed=5).summary
    scored = out[out.score.notna()]
    assert (scored.score_p5 <= scored.score_p95).all()
    assert (scored.rank_p5 <= scored.rank_p95).all()
    assert ((scored.same_band_share >= 0) & (scored.same_band_share <= 1)).all()
    assert (scored.robust == (scored.same_band_share >= 0.8)).all()
    assert scored.robust.any() and not scored.robust.all()


def test_a_place_far_ahead_is_robustly_first():
    cube = make_cube(n=30, periods=(2024,))
    data = cube.data.copy()
    data[:, 0] = np.where(np.array(TREE.index.polarity) > 0, 8.0, -8.0)  # p0 far ahead
    cube = ObservationCube.from_arrays(
        cube.rows, cube.indicators, data, indicator_major=True, population=cube.population
    )
    out = assess_robustness(cube, TREE, n_draws=40).summary
    head = out[(out.place == "p0") & (out.node == "H")].iloc[0]
    assert head["rank"] == 1
    assert head.rank_p95 == 1
    assert head.robust
    assert head.band == "dark_green"


def test_blocks_of_groups_give_the_same_answer_as_one_block():
    cube = make_cube(n=20, periods=(2021, 2022, 2023))
    whole = assess_robustness(cube, TREE, n_draws=15, seed=2)
    small = assess_robustness(cube, TREE, n_draws=15, seed=2, max_block_bytes=1)
    pdt.assert_frame_equal(whole.summary, small.summary)


@pytest.mark.parametrize("periods", [(2024,), (2022, 2023, 2024)])
def test_ranks_are_within_each_period(periods):
    cube = make_cube(n=12, periods=periods)
    out = assess_robustness(cube, TREE, n_draws=5).summary
    assert out["rank"].max() <= 12
    assert out.rank_p95.max() <= 12
