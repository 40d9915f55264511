"""The worked example of ``README.md`` as data, so tests pin the hand-computed numbers.

Five places A-E in one reference set, one period. Tree:

    H  Local Conditions (headline)
    ├── D1 Health (domain)
    │   ├── S1 Behaviours (subdomain): life_expectancy (+1), smoking (-1)
    │   └── S2 Mental health (subdomain): depression (-1), E has no value
    └── D2 Energy & Carbon (leaf domain): co2 (-1)

Values are chosen so that every mean and population SD is a round number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.engine.types import FrameworkTree, IndicatorSlot, Node

PLACES = ("A", "B", "C", "D", "E")
VALUES: dict[str, tuple[float, ...]] = {
    "life_expectancy": (74, 78, 80, 82, 86),  # mean 80, sd 4
    "smoking": (21, 13, 17, 9, 15),  # mean 15, sd 4
    "depression": (8, 14, 16, 22, np.nan),  # mean 15, sd 5 (E missing)
    "co2": (3, 7, 9, 6, 5),  # mean 6, sd 2
}


def worked_example_tree() -> FrameworkTree:
    return FrameworkTree(
        (
            Node("H", None, "headline", "Local Conditions"),
            Node("D1", "H", "domain", "Health"),
            Node("S1", "D1", "subdomain", "Behaviours"),
            Node("S2", "D1", "subdomain", "Mental health"),
            Node("D2", "H", "domain", "Energy & Carbon"),
        ),
        (
            IndicatorSlot("le", "S1", "life_expectancy", +1),
            IndicatorSlot("smk", "S1", "smoking", -1),
            IndicatorSlot("dep", "S2", "depression", -1),
            IndicatorSlot("co2", "D2", "co2", -1),
        ),
    )


def worked_example_observations() -> pd.DataFrame:
    """Long observations: place, reference_set, period, indicator, value."""
    records = [
        {
            "place": place,
            "reference_set": "E-UTLA",
            "period": 2024,
            "indicator": indicator,
            "value": float(values[i]),
        }
        for indicator, values in VALUES.items()
        for i, place in enumerate(PLACES)
    ]
    return pd.DataFrame.from_records(records)
