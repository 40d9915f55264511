"""Step 1: transform and standardise each indicator within each reference set.

Formulas (tpi-method.md, scoring steps 1-2; README "Step 1"):

* transform: ``x' = ln(x)`` for slots with ``transform="log"``; a value ``x <= 0``
  has no logarithm and becomes missing, with a row in ``transform_flags``;
* per scoring group g (reference set × period) and slot j, over the places with a
  value (weights ``w = 1`` unweighted, ``w = population`` weighted):
  ``mean = Σ w x' / Σ w``, ``sd = sqrt(Σ w (x' - mean)² / Σ w)`` (population SD:
  the reference set is every place there is, not a sample; two-pass for accuracy);
* ``z = polarity × (x' - mean) / sd``, so that higher is always better;
* the slot is not scorable in that group (z = NaN for every place, recorded in
  ``valid``) when fewer than 2 places have a value or every value is equal: sd = 0,
  or sd <= 1e-9 × |mean|, which is rounding noise (``ZERO_SPREAD``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine._grouped import group_count, group_sum
from scoring.engine.types import (
    INDICATOR,
    PERIOD,
    PLACE,
    REFERENCE_SET,
    VALUE,
    BoolArray,
    FloatArray,
    FrameworkTree,
    MethodSettings,
    ObservationCube,
)

TRANSFORM_FLAG_COLUMNS = [PLACE, REFERENCE_SET, PERIOD, "slot", INDICATOR, VALUE, "reason"]
NON_POSITIVE_UNDER_LOG = "non-positive value under log transform"


@dataclass(frozen=True, eq=False)
class Standardised:
    """Per-slot z-scores of every row, and the reference statistics of every group.

    Slot-major like the cube: ``z[j, r]`` is slot j's z-score for row r.
    """

    z: FloatArray  # (slots, rows), polarity applied; NaN where missing or not scorable
    x: FloatArray  # (slots, rows) transformed values; NaN where missing
    mean: FloatArray  # (slots, groups), on the transformed scale, before polarity
    sd: FloatArray  # (slots, groups); NaN where not scorable
    n: FloatArray  # (slots, groups) places with a value
    valid: BoolArray  # (slots, groups) n >= 2 and sd > 0
    transform_flags: pd.DataFrame  # TRANSFORM_FLAG_COLUMNS
    weighting: str


def slot_values(cube: ObservationCube, tree: FrameworkTree, source: FloatArray) -> FloatArray:
    """A copy of ``source`` (cube indicators × rows) re-indexed to the tree's slots
    (slots × rows); a slot whose indicator the cube lacks is all-NaN."""
    idx = tree.index
    cols = np.array([cube.indicator_position(k) for k in idx.slot_indicators], dtype=np.intp)
    if cols.size == source.shape[0] and (cols == np.arange(cols.size)).all():
        return source.copy()
    if source.shape[0] == 0:
        return np.full((cols.size, source.shape[1]), np.nan)
    out = source[np.maximum(cols, 0)]
    out[cols < 0] = np.nan
    return out


def apply_transform(x: FloatArray, log_slots: BoolArray) -> tuple[FloatArray, BoolArray]:
    """Log-transform the rows of the log slots in place; returns (x, mask of the
    non-positive values, which become NaN)."""
    bad = np.zeros(x.shape, dtype=bool)
    for j in np.flatnonzero(log_slots):
        row = x[j]
        with np.errstate(invalid="ignore"):
            non_pos = row <= 0
        row[non_pos] = np.nan
        np.log(row, out=row)
        bad[j] = non_pos
    return x, bad


# An SD this small relative to the mean is rounding noise, not spread: every value is
# equal to within the precision of the data (a constant column gives sd ≈ n·eps·|mean|
# ≈ 4e-12·|mean| at n = 33,700), and z-scores computed from it would be noise too.
ZERO_SPREAD = 1e-9


def standardise(
    cube: ObservationCube,
    tree: FrameworkTree,
    settings: MethodSettings,
    *,
    weighting: str | None = None,
) -> Standardised:
    """z-scores of every slot within every scoring group (see module docstring).

    ``weighting`` overrides ``settings.reference_weighting`` (robustness uses both).
    Population weighting needs a positive population on every row of the cube.
    """
    weighting = weighting or settings.reference_weighting
    if weighting not in ("unweighted", "population"):
        raise ValueError(f"unknown weighting {weighting!r}")
    idx = tree.index
    starts, sizes = cube.group_starts, cube.group_sizes
    x = slot_values(cube, tree, cube.data)
    x, non_positive = apply_transform(x, idx.log_slots)
    present = np.isfinite(x)
    absent = ~present
    np.copyto(x, np.nan, where=absent)  # ±inf counts as missing
    n = group_count(present, starts)

    dev = np.where(present, x, 0.0)  # becomes the deviations, then z, in place
    if weighting == "population":
        pop = cube.population
        if pop is None or not (np.isfinite(pop) & (pop > 0)).all():
            raise ValueError(
                "population weighting needs a positive population for every place in the cube"
            )
        sum_w = group_sum(present * pop, starts)
        mean = _divide(group_sum(dev * pop, starts), sum_w)
    else:
        pop = None
        sum_w = n
        mean = _divide(group_sum(dev, starts), n)
    dev -= np.repeat(mean, sizes, axis=-1)
    np.copyto(dev, 0.0, where=absent)
    sq = dev * dev
    if pop is not None:
        sq *= pop
    var = _divide(group_sum(sq, starts), sum_w)
    del sq
    sd = np.sqrt(var)
    with np.errstate(invalid="ignore"):
        valid = (n >= 2) & (sd > ZERO_SPREAD * np.abs(mean))
    sd[~valid] = np.nan
    dev *= np.repeat(idx.polarity[:, None] / sd, sizes, axis=-1)
    np.copyto(dev, np.nan, where=absent)
    return Standardised(
        z=dev,
        x=x,
        mean=mean,
        sd=sd,
        n=n,
        valid=valid,
        transform_flags=_transform_flags(cube, tree, non_positive),
        weighting=weighting,
    )


def _divide(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _transform_flags(
    cube: ObservationCube, tree: FrameworkTree, non_positive: BoolArray
) -> pd.DataFrame:
    j, r = np.nonzero(non_positive)
    if r.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TRANSFORM_FLAG_COLUMNS})
    idx = tree.index
    raw = slot_values(cube, tree, cube.data)
    return pd.DataFrame(
        {
            **cube.row_columns(r),
            "slot": np.asarray(idx.slot_ids, dtype=object)[j],
            INDICATOR: np.asarray(idx.slot_indicators, dtype=object)[j],
            VALUE: raw[j, r],
            "reason": NON_POSITIVE_UNDER_LOG,
        },
        columns=TRANSFORM_FLAG_COLUMNS,
    )
