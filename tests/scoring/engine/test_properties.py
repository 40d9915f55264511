"""Property tests (hypothesis): permutation, monotonicity, bounds, drivers summing."""

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring.engine import (
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
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
        IndicatorSlot("a", "S1", "a", +1),
        IndicatorSlot("b", "S1", "b", -1),
        IndicatorSlot("c", "S2", "c", +1, "log"),
        IndicatorSlot("d", "D2", "d", -1),
        IndicatorSlot("e", "D2", "e", +1),
    ),
)
N_IND = len(TREE.slots)
POLARITY = {s.indicator: s.polarity for s in TREE.slots}
INDICATORS = [s.indicator for s in TREE.slots]

finite = st.floats(min_value=0.01, max_value=1000, allow_nan=False, allow_infinity=False)


@st.composite
def observations(draw, min_places=3, max_places=12):
    n = draw(st.integers(min_places, max_places))
    values = draw(arrays(np.float64, (n, N_IND), elements=finite))
    missing = draw(arrays(np.bool_, (n, N_IND), elements=st.booleans()))
    values = np.where(missing & (np.arange(n)[:, None] >= 2), np.nan, values)  # 2 complete
    population = draw(arrays(np.float64, (n,), elements=st.floats(1, 1e6)))
    return values, population


SETTINGS = st.builds(
    MethodSettings,
    k=st.sampled_from([1.5, 2.0, 2.5, 6.0]),
    reference_weighting=st.sampled_from(["unweighted", "population"]),
    aggregation=st.sampled_from(["arithmetic", "geometric"]),
)


def make_cube(values, population, places=None):
    n = values.shape[0]
    rows = pd.DataFrame(
        {"place": places if places is not None else [f"p{i}" for i in range(n)]}
    ).assign(reference_set="R", period=1)
    return ObservationCube.from_arrays(rows, INDICATORS, values, population=population)


@settings(max_examples=60, deadline=None)
@given(obs=observations(), method=SETTINGS, data=st.data())
def test_permuting_places_permutes_scores(obs, method, data):
    values, population = obs
    n = values.shape[0]
    perm = np.array(data.draw(st.permutations(range(n))))
    places = [f"p{i}" for i in range(n)]
    base = compute_scores(make_cube(values, population, places), TREE, method)
    moved = compute_scores(
        make_cube(values[perm], population[perm], [places[i] for i in perm]), TREE, method
    )
    # moved row j is base row perm[j]
    np.testing.assert_allclose(moved.score, base.score[:, perm], rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(moved.nodes.n_present, base.nodes.n_present[:, perm])
    np.testing.assert_array_equal(np.isnan(moved.rank), np.isnan(base.rank[:, perm]))


@settings(max_examples=100, deadline=None)
@given(
    obs=observations(),
    method=SETTINGS,
    place=st.integers(0, 11),
    indicator=st.integers(0, N_IND - 1),
    step=st.floats(0.001, 500),
)
def test_improving_an_indicator_never_lowers_that_places_scores(
    obs, method, place, indicator, step
):
    values, population = obs
    place = place % values.shape[0]
    assume(not np.isnan(values[place, indicator]))
    key = INDICATORS[indicator]
    better = values.copy()
    better[place, indicator] += step * POLARITY[key]
    assume(better[place, indicator] > 0)  # stays within the log transform's domain
    before = compute_scores(make_cube(values, population), TREE, method)
    after = compute_scores(make_cube(better, population), TREE, method)
    # The property holds while the set of present indicators is unchanged; a value that
    # makes an indicator scorable (or not) changes what is averaged (see README).
    assume((before.standardised.valid == after.standardised.valid).all())
    # ... and while every spread is well above rounding noise (SD > 1e-6 × |mean|): at
    # 1e-9 (where an indicator stops being scorable) z carries ~1e-7 of rounding error.
    for st_ in (before.standardised, after.standardised):
        sd, mean = st_.sd[st_.valid], np.abs(st_.mean[st_.valid])
        assume((sd > 1e-6 * mean).all())
    old, new = before.score[:, place], after.score[:, place]
    both = ~np.isnan(old) & ~np.isnan(new)
    assert (np.isnan(old) == np.isnan(new)).all()
    assert (new[both] >= old[both] - 1e-9).all()


@settings(max_examples=80, deadline=None)
@given(obs=observations(min_places=2), method=SETTINGS, cap_high=st.sampled_from([10.0, 7.0]))
def test_scores_are_within_the_caps_or_null(obs, method, cap_high):
    values, population = obs
    method = method.replace(cap=(0.0, cap_high), centre=min(5.0, cap_high))
    result = compute_scores(make_cube(values, population), TREE, method)
    s = result.score[~np.isnan(result.score)]
    assert ((s >= 0.0) & (s <= cap_high)).all()


@settings(max_examples=60, deadline=None)
@given(obs=observations(), k=st.sampled_from([1.0, 2.0, 6.0]))
def test_drivers_sum_to_the_score_minus_five(obs, k):
    values, population = obs
    result = compute_scores(make_cube(values, population), TREE, MethodSettings(k=k))
    drivers = compute_drivers(result)
    sums = drivers.groupby(["place", "node"], observed=True).agg(
        c=("contribution", "sum"),
        cu=("contribution_uncapped", "sum"),
        s=("score", "first"),
        su=("score_uncapped", "first"),
    )
    np.testing.assert_allclose(sums.cu, sums.su - 5.0, atol=1e-9)
    np.testing.assert_allclose(sums.c, sums.s - 5.0, atol=1e-9)
    # every scored node has drivers, and no unscored node has any
    frame = result.to_frame()
    scored = frame[frame.score.notna()]
    assert len(scored) == len(sums)
