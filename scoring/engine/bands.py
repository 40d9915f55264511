"""Colour bands of the published Thriving Places method (tpi-method.md, step 6).

Lower bounds are inclusive: 3.5 is orange, 4.5 yellow, 5.5 pale green, 6.5 dark green.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    lower: float
    colour: str


BANDS: tuple[Band, ...] = (
    Band("red", "Well below average", -np.inf, "#d7301f"),
    Band("orange", "Below average", 3.5, "#fc8d59"),
    Band("yellow", "Around average", 4.5, "#fee08b"),
    Band("pale_green", "Above average", 5.5, "#a6d96a"),
    Band("dark_green", "Well above average", 6.5, "#1a9850"),
)


def band_for(score: float | None) -> Band | None:
    """The band a 0-10 score falls in; None for a missing score (never a colour)."""
    if score is None or np.isnan(score):
        return None
    found = BANDS[0]
    for band in BANDS:
        if score >= band.lower:
            found = band
    return found


_LOWER_BOUNDS = np.array([band.lower for band in BANDS[1:]])
BAND_KEYS: tuple[str, ...] = tuple(band.key for band in BANDS)


def band_index(scores: npt.ArrayLike) -> npt.NDArray[np.intp]:
    """Vectorised ``band_for``: position in ``BANDS`` of each score, -1 where missing.

    Same rule as ``band_for`` (lower bound inclusive): the number of lower bounds
    (after the first, -inf) that the score reaches.
    """
    arr = np.asarray(scores, dtype=np.float64)
    out = np.searchsorted(_LOWER_BOUNDS, arr, side="right").astype(np.intp)
    out[np.isnan(arr)] = -1
    return out


def band_keys(scores: npt.ArrayLike) -> pd.Categorical:
    """Band key of each score as a categorical (missing where the score is)."""
    codes = band_index(scores).ravel()
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(BAND_KEYS), dtype=object))
