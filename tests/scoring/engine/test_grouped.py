"""Vectorised helpers against their obvious (pandas/numpy) equivalents."""

import warnings

import numpy as np
import pandas as pd
import pytest

from scoring.engine import BANDS, band_for, band_index, band_keys
from scoring.engine._grouped import group_quantile, group_rank_desc, nanquantile_last


def _groups(sizes):
    group = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.intp)
    return group, starts


def test_group_rank_matches_pandas_min_rank_with_ties_and_missing():
    rng = np.random.default_rng(0)
    group, starts = _groups([7, 1, 12, 5])
    values = rng.integers(0, 4, size=(3, group.size)).astype(float)  # many ties
    values[rng.random(values.shape) < 0.2] = np.nan
    ranks = group_rank_desc(values, group, starts)
    for row in range(values.shape[0]):
        expected = (
            pd.Series(values[row]).groupby(group).rank(method="min", ascending=False).to_numpy()
        )
        np.testing.assert_array_equal(ranks[row], expected)


def test_group_rank_competition_ranking():
    group, starts = _groups([5])
    ranks = group_rank_desc(np.array([10.0, 10.0, 7.0, np.nan, 3.0]), group, starts)
    np.testing.assert_array_equal(ranks, [1, 1, 3, np.nan, 4])


@pytest.mark.parametrize("q", [0.05, 0.1, 0.5, 0.95])
def test_group_quantile_matches_numpy_nanquantile(q):
    rng = np.random.default_rng(1)
    group, starts = _groups([9, 2, 30])
    values = rng.normal(size=(4, group.size))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[0, starts[1] : starts[2]] = np.nan  # a group with nothing
    got = group_quantile(values, group, starts, q)
    for g, (lo, hi) in enumerate(zip(starts, [*starts[1:], group.size], strict=True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slice
            expected = np.nanquantile(values[:, lo:hi], q, axis=1)
        np.testing.assert_allclose(got[:, g], expected, equal_nan=True)


def test_nanquantile_last_matches_numpy():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 4, 50))
    a[rng.random(a.shape) < 0.25] = np.nan
    p5, p95 = nanquantile_last(a, (0.05, 0.95))
    np.testing.assert_allclose(p5, np.nanquantile(a, 0.05, axis=-1))
    np.testing.assert_allclose(p95, np.nanquantile(a, 0.95, axis=-1))


def test_vectorised_bands_agree_with_band_for():
    scores = np.r_[np.linspace(-1, 11, 1201), [3.5, 4.5, 5.5, 6.5, np.nan, np.nextafter(3.5, 0)]]
    idx = band_index(scores)
    keys = band_keys(scores)
    for s, i, k in zip(scores, idx, keys, strict=True):
        band = band_for(float(s))
        if band is None:
            assert i == -1
            assert pd.isna(k)
        else:
            assert BANDS[i] == band
            assert k == band.key
