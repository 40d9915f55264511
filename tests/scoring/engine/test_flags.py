"""Step 6: weak indicators hidden by a good average above them."""

import numpy as np
import pandas as pd
import pytest

from scoring.engine import (
    HIDDEN_WEAKNESS_COLUMNS,
    FrameworkTree,
    IndicatorSlot,
    MethodSettings,
    Node,
    ObservationCube,
    compute_scores,
    find_hidden_weaknesses,
)

TREE = FrameworkTree(
    (
        Node("H", None, "headline"),
        Node("D1", "H", "domain"),
        Node("S1", "D1", "subdomain"),
        Node("D2", "H", "domain"),
    ),
    (
        IndicatorSlot("weak", "S1", "weak", -1),
        IndicatorSlot("strong1", "S1", "strong1"),
        IndicatorSlot("strong2", "S1", "strong2"),
        IndicatorSlot("other", "D2", "other"),
    ),
)
N = 20


def long_frame(values: dict[str, np.ndarray], ci=None) -> pd.DataFrame:
    frames = []
    for key, v in values.items():
        f = pd.DataFrame(
            {
                "place": [f"p{i:02d}" for i in range(N)],
                "reference_set": "R",
                "period": 2024,
                "indicator": key,
                "value": v,
            }
        )
        if ci is not None:
            f["lower_ci"] = ci[key][0]
            f["upper_ci"] = ci[key][1]
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def base_values() -> dict[str, np.ndarray]:
    i = np.arange(N, dtype=float)
    return {"weak": i.copy(), "strong1": i.copy(), "strong2": i.copy(), "other": i.copy()}


def test_bottom_decile_indicator_under_a_good_score_is_flagged_at_every_hiding_level():
    values = base_values()
    # p19 is best on everything except "weak" (lower is better), where it is worst.
    values["weak"] = np.r_[np.arange(N - 1, 0, -1.0), 25.0]
    result = compute_scores(ObservationCube.from_long(long_frame(values)), TREE)
    flags = find_hidden_weaknesses(result)
    assert list(flags.columns) == HIDDEN_WEAKNESS_COLUMNS
    p19 = flags[flags.place == "p19"]
    assert list(p19.hidden_by) == ["S1", "D1", "H"]  # nearest first
    assert p19.slot.unique().tolist() == ["weak"]
    assert p19.bottom_decile.all()
    assert not p19.significantly_below.any()
    assert (p19.hidden_by_score > 5).all()
    assert p19.value.iloc[0] == 25.0


def test_weak_indicator_under_a_poor_score_is_not_hidden():
    values = base_values()
    result = compute_scores(ObservationCube.from_long(long_frame(values)), TREE)
    flags = find_hidden_weaknesses(result)
    # p00 is worst on strong1/strong2/other, and best on "weak": its low values are
    # in plain sight (every score above it is below 5), so nothing is flagged for it.
    assert "p00" not in set(flags.place)


def test_bottom_decile_uses_the_settings_quantile():
    values = base_values()
    values["weak"][17:] = [98.0, 99.0, 100.0]
    cube = ObservationCube.from_long(long_frame(values))
    few = find_hidden_weaknesses(compute_scores(cube, TREE))
    more = find_hidden_weaknesses(
        compute_scores(cube, TREE, MethodSettings(hidden_weakness_quantile=0.2))
    )
    # numpy's linear quantile over 20 places: position 0.1 × 19 = 1.9 in worst-first
    # order takes the two worst; 0.2 × 19 = 3.8 the four worst.
    assert set(few.place) == {"p18", "p19"}
    assert set(more.place) == {"p16", "p17", "p18", "p19"}


def test_significantly_below_the_mean_by_its_confidence_interval():
    values = base_values()
    values["weak"] = np.full(N, 10.0)
    values["weak"][:10] = 9.0
    values["weak"][10:] = 11.0  # mean 10; "weak" is lower-is-better
    # p12 has 11 (worse than the mean) but is not in the bottom decile by value alone
    # (ten places tie at 11). Its interval (10.5, 11.5) lies wholly on the bad side.
    lower = values["weak"] - 0.5
    upper = values["weak"] + 0.5
    lower[13] = 9.5  # p13's interval reaches the mean: not significant
    ci = {k: (np.full(N, np.nan), np.full(N, np.nan)) for k in values}
    ci["weak"] = (lower, upper)
    cube = ObservationCube.from_long(long_frame(values, ci=ci))
    result = compute_scores(cube, TREE, MethodSettings(hidden_weakness_quantile=0.05))
    flags = find_hidden_weaknesses(result)
    sig = flags[flags.significantly_below]
    assert "p12" in set(sig.place)
    assert "p13" not in set(sig.place)
    row = sig[sig.place == "p12"].iloc[0]
    assert row.lower_ci == 10.5
    assert row.reference_mean == pytest.approx(10.0)


def test_no_flags_without_scorable_data():
    values = {k: np.full(N, 3.0) for k in base_values()}
    result = compute_scores(ObservationCube.from_long(long_frame(values)), TREE)
    assert find_hidden_weaknesses(result).empty
