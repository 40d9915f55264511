"""Colour bands follow the published cut points, lower bound inclusive (tpi-method.md)."""

import math

import pytest

from scoring.engine import band_for


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0.0, "red"),
        (3.49, "red"),
        (3.5, "orange"),
        (4.5, "yellow"),
        (5.49, "yellow"),
        (5.5, "pale_green"),
        (6.5, "dark_green"),
        (10.0, "dark_green"),
    ],
)
def test_band_cut_points(score, band):
    found = band_for(score)
    assert found is not None
    assert found.key == band


@pytest.mark.parametrize("missing", [None, math.nan])
def test_missing_score_has_no_band(missing):
    assert band_for(missing) is None
