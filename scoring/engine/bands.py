"""Colour bands of the published Thriving Places method (tpi-method.md, step 6).

Lower bounds are inclusive: 3.5 is orange, 4.5 yellow, 5.5 pale green, 6.5 dark green.
"""

from dataclasses import dataclass

import numpy as np


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
