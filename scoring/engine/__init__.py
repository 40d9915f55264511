"""Pure scoring engine: numpy and pandas only, never Django.

Everything here takes arrays or DataFrames and returns them, so it can be unit-tested
without a database and benchmarked against plain numpy. ``tests/test_architecture.py``
fails if anything in this package imports Django or another app of the project.
"""

from scoring.engine.bands import BANDS, band_for

__all__ = ["BANDS", "band_for"]
