"""Pure scoring engine: numpy and pandas only, never Django.

Everything here takes arrays or DataFrames and returns them, so it can be unit-tested
without a database and benchmarked against plain numpy. ``tests/test_architecture.py``
fails if anything in this package imports Django or another app of the project.

Entry points (method, formulas and a worked example in ``README.md``):

* ``ObservationCube.from_long(observations, population=...)`` / ``.from_arrays(...)``
* ``compute_scores(cube, tree, settings) -> ScoreResult`` (``.to_frame()``,
  ``.indicator_frame()``), or ``score_observations(observations, tree, settings)``
* ``compute_drivers(result)``, ``compute_driver_changes(drivers, period_from=, period_to=)``
* ``find_hidden_weaknesses(result)``
* ``assess_robustness(cube, tree, settings) -> RobustnessResult``
"""

from scoring.engine.aggregate import (
    INDICATOR_COLUMNS,
    SCORE_COLUMNS,
    NodeScores,
    ScoreResult,
    aggregate,
    compute_scores,
    score_observations,
)
from scoring.engine.bands import BAND_KEYS, BANDS, band_for, band_index, band_keys
from scoring.engine.drivers import (
    CHANGE_COLUMNS,
    DRIVER_COLUMNS,
    compute_driver_changes,
    compute_drivers,
)
from scoring.engine.flags import HIDDEN_WEAKNESS_COLUMNS, find_hidden_weaknesses
from scoring.engine.normalise import TRANSFORM_FLAG_COLUMNS, Standardised, standardise
from scoring.engine.robustness import (
    DRAW_COLUMNS,
    ROBUSTNESS_COLUMNS,
    RobustnessResult,
    assess_robustness,
)
from scoring.engine.types import (
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
)

__all__ = [
    "BANDS",
    "BAND_KEYS",
    "CHANGE_COLUMNS",
    "DRAW_COLUMNS",
    "DRIVER_COLUMNS",
    "HIDDEN_WEAKNESS_COLUMNS",
    "INDICATOR_COLUMNS",
    "ROBUSTNESS_COLUMNS",
    "SCORE_COLUMNS",
    "TRANSFORM_FLAG_COLUMNS",
    "FrameworkTree",
    "IndicatorSlot",
    "MethodSettings",
    "Node",
    "NodeScores",
    "ObservationCube",
    "RobustnessResult",
    "ScoreResult",
    "Standardised",
    "aggregate",
    "assess_robustness",
    "band_for",
    "band_index",
    "band_keys",
    "compute_driver_changes",
    "compute_drivers",
    "compute_scores",
    "find_hidden_weaknesses",
    "score_observations",
    "standardise",
]
