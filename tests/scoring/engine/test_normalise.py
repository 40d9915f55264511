"""Step 1: z-scores within each reference set, hand-computed."""

import math

import numpy as np
import pandas as pd
import pytest

from scoring.engine import (
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    standardise,
)

NAN = math.nan


def one_subdomain_tree(*slots: IndicatorSlot) -> FrameworkTree:
    return FrameworkTree((Node("H", None, "headline"), Node("D", "H", "domain")), slots)


def cube_of(values: dict[str, list[float]], *, groups=None, population=None) -> ObservationCube:
    n = len(next(iter(values.values())))
    groups = groups or ["R"] * n
    rows = pd.DataFrame(
        {"place": [f"p{i}" for i in range(n)], "reference_set": groups, "period": 2024}
    )
    return ObservationCube.from_arrays(
        rows, list(values), np.column_stack(list(values.values())), population=population
    )


def z_of(values, *, polarity=1, transform="none", settings=None, **cube_kw):
    tree = one_subdomain_tree(IndicatorSlot("s", "D", "x", polarity, transform))
    st = standardise(cube_of({"x": values}, **cube_kw), tree, settings or MethodSettings())
    return st, st.z[0]


def test_z_is_deviation_over_population_sd():
    # mean 80, population SD 4 (deviations -6, -2, 0, 2, 6)
    _, z = z_of([74, 78, 80, 82, 86])
    np.testing.assert_allclose(z, [-1.5, -0.5, 0, 0.5, 1.5])


def test_polarity_flips_the_sign():
    _, z = z_of([74, 78, 80, 82, 86], polarity=-1)
    np.testing.assert_allclose(z, [1.5, 0.5, 0, -0.5, -1.5])


def test_missing_values_are_left_out_of_mean_and_sd():
    st, z = z_of([8, 14, NAN, 16, 22])  # mean 15, SD 5 over the four present
    np.testing.assert_allclose(z, [-1.4, -0.2, NAN, 0.2, 1.4])
    assert st.n[0, 0] == 4
    assert st.mean[0, 0] == pytest.approx(15)
    assert st.sd[0, 0] == pytest.approx(5)


def test_ties_get_equal_z():
    _, z = z_of([1, 1, 2, 2])
    np.testing.assert_allclose(z, [-1, -1, 1, 1])


@pytest.mark.parametrize(
    "values",
    [
        [3.0, 3.0, 3.0],  # sd exactly 0
        [0.1, 0.1, 0.1],  # sd 0 up to rounding of the mean: still constant
        [7.0, NAN, NAN],  # one place only
        [NAN, NAN, NAN],
    ],
)
def test_indicator_without_spread_or_places_is_not_scorable(values):
    st, z = z_of(values)
    assert np.isnan(z).all()
    assert not st.valid[0, 0]
    assert np.isnan(st.sd[0, 0])


def test_spread_at_rounding_noise_level_counts_as_zero():
    # relative spread 1e-12: the values are equal to within the data's precision
    st, z = z_of([1.0, 1.0 + 1e-12, 1.0 + 2e-12])
    assert np.isnan(z).all()
    assert not st.valid[0, 0]


def test_small_but_real_spread_is_scored():
    _, z = z_of([1.0, 1.0 + 1e-6, 1.0 + 2e-6])
    np.testing.assert_allclose(z, [-math.sqrt(1.5), 0, math.sqrt(1.5)], rtol=1e-6)


def test_spread_is_judged_relative_to_the_mean_not_absolutely():
    _, z = z_of([-1e-20, 1e-20])  # mean 0: any spread is real
    np.testing.assert_allclose(z, [-1, 1])


def test_reference_sets_are_standardised_independently():
    st, z = z_of([1, 3, 100, 300], groups=["E", "E", "W", "W"])
    np.testing.assert_allclose(z, [-1, 1, -1, 1])
    np.testing.assert_allclose(st.mean[0], [2, 200])


def test_log_transform_and_non_positive_values_are_flagged():
    e = math.e
    st, z = z_of([1, e, e**2, 0, -3], transform="log")
    # logs 0, 1, 2 → mean 1, SD sqrt(2/3)
    sd = math.sqrt(2 / 3)
    np.testing.assert_allclose(z[:3], [-1 / sd, 0, 1 / sd])
    assert np.isnan(z[3:]).all()
    flags = st.transform_flags
    assert list(flags.place) == ["p3", "p4"]
    assert list(flags.value) == [0.0, -3.0]
    assert set(flags.reason) == {"non-positive value under log transform"}


def test_population_weighted_mean_and_sd():
    # weights 1, 1, 2: mean (0 + 2 + 2*4) / 4 = 2.5;
    # var (6.25 + 0.25 + 2 * 2.25) / 4 = 2.75
    settings = MethodSettings(reference_weighting="population")
    st, z = z_of([0, 2, 4], settings=settings, population=[1, 1, 2])
    assert st.mean[0, 0] == pytest.approx(2.5)
    assert st.sd[0, 0] == pytest.approx(math.sqrt(2.75))
    np.testing.assert_allclose(z, np.array([-2.5, -0.5, 1.5]) / math.sqrt(2.75))


def test_population_weighting_needs_populations():
    with pytest.raises(ValueError, match="population"):
        z_of([0, 2, 4], settings=MethodSettings(reference_weighting="population"))


def test_slot_whose_indicator_has_no_data_is_all_missing():
    tree = one_subdomain_tree(IndicatorSlot("s", "D", "x"), IndicatorSlot("t", "D", "absent"))
    st = standardise(cube_of({"x": [1.0, 2.0]}), tree, MethodSettings())
    assert np.isnan(st.z[1]).all()
    np.testing.assert_allclose(st.z[0], [-1, 1])


def test_infinite_values_count_as_missing():
    _, z = z_of([1.0, 3.0, math.inf])
    np.testing.assert_allclose(z, [-1, 1, NAN])
