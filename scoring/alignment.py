"""Line observations up with scoring years (pure pandas; no Django).

Indicators come in calendar, financial and academic years, three-year pools and single
dates, and each is released on its own timetable. A score for year Y uses, for every
indicator, the latest observation whose period ends in Y or in the ``max_age`` years
before it (our choice, a setting stored with the run): the index's own editions likewise
take the latest data available for each indicator. The period actually used is kept, so
every driver can say which data it rests on.
"""

import numpy as np
import pandas as pd

ALIGNED_COLUMNS = [
    "place",
    "indicator",
    "year",
    "value",
    "lower_ci",
    "upper_ci",
    "period_start",
    "period_end",
]


def align_to_years(observations: pd.DataFrame, years: list[int], max_age: int) -> pd.DataFrame:
    """Observations (place, indicator, period_start, period_end, value[, lower_ci, upper_ci])
    → one row per (place, indicator, year) holding the latest eligible observation."""
    if observations.empty or not years:
        return pd.DataFrame(columns=ALIGNED_COLUMNS)
    frame = observations.loc[observations["value"].notna()].copy()
    for column in ("lower_ci", "upper_ci"):
        if column not in frame:
            frame[column] = np.nan
    end_year = pd.to_datetime(frame["period_end"]).dt.year.to_numpy()
    wanted = np.asarray(sorted(set(years)), dtype=np.int64)
    # Each observation can serve the years from its end year to max_age later.
    offsets = np.arange(max_age + 1, dtype=np.int64)
    repeated = np.repeat(np.arange(len(frame)), len(offsets))
    target = np.tile(offsets, len(frame)) + np.repeat(end_year, len(offsets))
    keep = np.isin(target, wanted)
    expanded = frame.iloc[repeated[keep]].reset_index(drop=True)
    expanded["year"] = target[keep]
    expanded = expanded.sort_values(
        ["place", "indicator", "year", "period_end", "period_start"], kind="stable"
    )
    latest = expanded.drop_duplicates(["place", "indicator", "year"], keep="last")
    return latest[ALIGNED_COLUMNS].reset_index(drop=True)


def years_with_coverage(
    aligned: pd.DataFrame,
    reference: pd.DataFrame,
    indicators: list[str],
    *,
    min_share_of_places: float = 0.5,
    min_share_of_indicators: float = 0.6,
) -> list[int]:
    """Years worth scoring: enough indicators have data for enough places in the set.

    ``reference`` lists (place, year) pairs of the reference set. An indicator counts for
    a year when at least ``min_share_of_places`` of the set's places have a value.
    """
    if aligned.empty or reference.empty or not indicators:
        return []
    joined = aligned.merge(reference[["place", "year"]], on=["place", "year"])
    places_per_year = reference.groupby("year")["place"].nunique()
    with_data = joined.groupby(["year", "indicator"])["place"].nunique().reset_index()
    with_data["share"] = with_data["place"] / with_data["year"].map(places_per_year)
    covered = with_data.loc[with_data["share"] >= min_share_of_places]
    counts = covered.groupby("year")["indicator"].nunique()
    needed = min_share_of_indicators * len(indicators)
    return sorted(int(y) for y in counts.index[counts.to_numpy() >= needed])
